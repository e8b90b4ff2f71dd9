package io.switchd.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.switchd.Reloader;
import io.switchd.Switchd;
import io.switchd.port.kind.PortKind;
import io.switchd.port.kind.PortKinds;
import io.switchd.api.ApiPaths;
import io.switchd.api.Json;
import io.switchd.api.model.FdbFlush;
import io.switchd.api.model.Flushed;
import io.switchd.api.model.Health;
import io.switchd.api.model.NewBridge;
import io.switchd.api.model.NewFdbEntry;
import io.switchd.api.model.NewMirror;
import io.switchd.api.model.NewPort;
import io.switchd.api.model.PortChange;
import io.switchd.api.model.PortInfo;
import io.switchd.capture.Captures;
import io.switchd.config.ConfigError;
import io.switchd.config.ControlConfig;
import io.switchd.metrics.SwitchdMetrics;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The control API's routes, from method and path to a {@link Switchd} operation and back to a JSON
 * answer. Every mistake in a request becomes a 4xx with a message; nothing a client sends can stop
 * the daemon serving the next one.
 */
public final class ApiRouter {
    private static final Logger LOG = Logger.getLogger(ApiRouter.class.getName());
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final Switchd switchd;
    private final SwitchdMetrics metrics;
    private final Reloader reloader;
    private final Captures captures;

    /** Routes to {@code switchd}, its {@code metrics}, and the {@code reloader} of its config file; 4 captures at once. */
    public ApiRouter(Switchd switchd, SwitchdMetrics metrics, Reloader reloader) {
        this(switchd, metrics, reloader, new Captures(ControlConfig.DEFAULT_MAX_CAPTURES));
    }

    /** Routes as above, running live captures in {@code captures}. */
    public ApiRouter(Switchd switchd, SwitchdMetrics metrics, Reloader reloader, Captures captures) {
        this.switchd = switchd;
        this.metrics = metrics;
        this.reloader = reloader;
        this.captures = captures;
    }

    /** Answers one request; {@code apiAllowed} is false on the metrics listener, which serves /metrics only. */
    public ApiResponse handle(String method, String uri, byte[] body, boolean apiAllowed) {
        QueryStringDecoder q = new QueryStringDecoder(uri);
        String path;
        Map<String, List<String>> params;
        try {
            path = q.path(); // decoding is lazy: a bad %-escape throws here or at parameters()
            params = q.parameters();
        } catch (IllegalArgumentException e) {
            return ApiResponse.error(400, "bad percent-encoding in the request URI: " + e.getMessage());
        }
        try {
            if (path.equals("/metrics")) {
                requireMethod(method, "GET");
                return ApiResponse.text(PROMETHEUS, metrics::scrape);
            }
            if (!apiAllowed) {
                return ApiResponse.error(404, "only /metrics is served here");
            }
            if (!path.startsWith(ApiPaths.PREFIX + "/") && !path.equals(ApiPaths.PREFIX)) {
                return ApiResponse.error(404, "no such route: " + path + " (the API is under " + ApiPaths.PREFIX + ")");
            }
            String[] s = segments(path.substring(ApiPaths.PREFIX.length()));
            return route(method, s, params, body);
        } catch (ControlException e) {
            return ApiResponse.error(e.status(), e.getMessage());
        } catch (UncheckedIOException e) {
            LOG.log(Level.SEVERE, "could not save the state file", e);
            return ApiResponse.error(500, "the change was made but could not be saved: " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, method + " " + path + " failed", e);
            return ApiResponse.error(500, "internal error: " + e);
        }
    }

    private ApiResponse route(String method, String[] s, Map<String, List<String>> params, byte[] body)
            throws ControlException {
        int n = s.length;
        if (n == 1 && s[0].equals("health")) {
            requireMethod(method, "GET");
            List<PortInfo> ports = switchd.portInfos(null);
            int up = 0;
            for (PortInfo p : ports) {
                if (p.state().equals("up")) {
                    up++;
                }
            }
            return ApiResponse.json(200, new Health("ok", switchd.bridgeInfos().size(), ports.size(), up,
                    switchd.uptimeSeconds()));
        }
        if (n == 1 && s[0].equals("stats")) {
            requireMethod(method, "GET");
            return ApiResponse.json(200, switchd.stats(null, null));
        }
        if (n == 1 && s[0].equals("ports")) {
            requireMethod(method, "GET");
            return ApiResponse.json(200, switchd.portInfos(null));
        }
        if (n == 1 && s[0].equals("mirrors")) {
            requireMethod(method, "GET");
            return ApiResponse.json(200, switchd.mirrorInfos(null));
        }
        if (n == 1 && s[0].equals("stp")) {
            requireMethod(method, "GET");
            return ApiResponse.json(200, switchd.stpInfos(null));
        }
        if (n == 1 && s[0].equals("fdb")) {
            requireMethod(method, "GET");
            return ApiResponse.json(200, switchd.fdb(null, param(params, "port"), vlanParam(params), param(params, "mac"),
                    count(params, "offset", 0, Integer.MAX_VALUE, 0),
                    count(params, "limit", 1, Switchd.FDB_PAGE_MAX, Switchd.FDB_PAGE_MAX)));
        }
        if (n == 1 && s[0].equals("reload")) {
            requireMethod(method, "POST");
            try {
                return ApiResponse.json(200, reloader.reload());
            } catch (ConfigError e) {
                throw new ControlException(422, "bad configuration: " + e.getMessage()
                        + "; the running configuration stays");
            }
        }
        if (n == 2 && s[0].equals("captures")) {
            requireMethod(method, "GET");
            Captures.Counts counts;
            try {
                counts = captures.counts(Long.parseLong(s[1]));
            } catch (NumberFormatException e) {
                counts = null;
            }
            if (counts == null) {
                throw ControlException.notFound("no capture " + s[1] + " (running or among the last ended)");
            }
            return ApiResponse.json(200, counts);
        }
        if (n == 0 || !s[0].equals("bridges")) {
            throw ControlException.notFound("no such route: " + ApiPaths.PREFIX + "/" + String.join("/", s));
        }
        if (n == 1) {
            if (method.equals("GET")) {
                return ApiResponse.json(200, switchd.bridgeInfos());
            }
            requireMethod(method, "GET", "POST");
            NewBridge req = body(body, NewBridge.class);
            return ApiResponse.json(201, switchd.addBridge(req.name()));
        }
        String br = s[1];
        if (n == 2) {
            if (method.equals("GET")) {
                return ApiResponse.json(200, switchd.bridgeInfo(br));
            }
            requireMethod(method, "GET", "DELETE");
            switchd.deleteBridge(br);
            return ApiResponse.noContent();
        }
        switch (s[2]) {
            case "ports":
                return ports(method, br, s, params, body);
            case "fdb":
                return fdb(method, br, s, params, body);
            case "mirrors":
                return mirrors(method, br, s, body);
            case "capture":
                if (n == 3) {
                    requireMethod(method, "GET");
                    return CaptureRequest.start(captures, br, switchd.bridge(br), params);
                }
                break;
            case "stp":
                if (n == 3) {
                    requireMethod(method, "GET");
                    return ApiResponse.json(200, switchd.stpInfos(br));
                }
                break;
            case "stats":
                if (n == 3) {
                    requireMethod(method, "GET");
                    return ApiResponse.json(200, switchd.stats(br, param(params, "port")));
                }
                break;
            default:
                break;
        }
        throw ControlException.notFound("no such route: " + ApiPaths.PREFIX + "/" + String.join("/", s));
    }

    private ApiResponse ports(String method, String br, String[] s, Map<String, List<String>> params, byte[] body)
            throws ControlException {
        if (s.length == 3) {
            if (method.equals("GET")) {
                return ApiResponse.json(200, switchd.portInfos(br));
            }
            requireMethod(method, "GET", "POST");
            NewPort req = body(body, NewPort.class);
            PortKind kind = PortKinds.requested(req.type());
            return ApiResponse.json(201, switchd.addPort(br, req, kind, owner(req.owner())));
        }
        String port = s[3];
        if (s.length == 5 && s[4].equals("stats")) {
            requireMethod(method, "GET");
            return ApiResponse.json(200, switchd.stats(br, port).get(0));
        }
        if (s.length == 5 && s[4].equals("reset")) {
            requireMethod(method, "POST");
            return ApiResponse.json(200, switchd.resetPort(br, port));
        }
        if (s.length != 4) {
            throw ControlException.notFound("no such route");
        }
        switch (method) {
            case "GET":
                return ApiResponse.json(200, switchd.portInfo(br, port));
            case "DELETE":
                switchd.deletePort(br, port, owner(param(params, "owner")));
                return ApiResponse.noContent();
            case "PATCH":
                return ApiResponse.json(200, switchd.changePort(br, port, body(body, PortChange.class)));
            default:
                throw methodNotAllowed(method, "GET", "PATCH", "DELETE");
        }
    }

    private ApiResponse mirrors(String method, String br, String[] s, byte[] body) throws ControlException {
        if (s.length == 3) {
            if (method.equals("GET")) {
                return ApiResponse.json(200, switchd.mirrorInfos(br));
            }
            requireMethod(method, "GET", "POST");
            return ApiResponse.json(201, switchd.addMirror(br, body(body, NewMirror.class)));
        }
        if (s.length == 4) {
            requireMethod(method, "DELETE");
            switchd.deleteMirror(br, s[3]);
            return ApiResponse.noContent();
        }
        throw ControlException.notFound("no such route");
    }

    private ApiResponse fdb(String method, String br, String[] s, Map<String, List<String>> params, byte[] body)
            throws ControlException {
        if (s.length == 3) {
            if (method.equals("GET")) {
                return ApiResponse.json(200, switchd.fdb(br, param(params, "port"), vlanParam(params),
                        param(params, "mac"), count(params, "offset", 0, Integer.MAX_VALUE, 0),
                        count(params, "limit", 1, Switchd.FDB_PAGE_MAX, Switchd.FDB_PAGE_MAX)));
            }
            requireMethod(method, "GET", "POST");
            NewFdbEntry req = body(body, NewFdbEntry.class);
            if (req.port() == null) {
                throw ControlException.badRequest("a static entry needs a port");
            }
            return ApiResponse.json(201, switchd.addStatic(br, req.mac(), req.vlan() == null ? 0 : req.vlan(),
                    req.port()));
        }
        if (s.length == 4 && s[3].equals("flush")) {
            requireMethod(method, "POST");
            FdbFlush req = body.length == 0 ? new FdbFlush(null, false) : body(body, FdbFlush.class);
            boolean all = req.includeStatic() != null && req.includeStatic();
            return ApiResponse.json(200, new Flushed(switchd.flush(br, req.port(), all)));
        }
        if (s.length == 4) {
            requireMethod(method, "DELETE");
            Integer vlan = vlanParam(params);
            switchd.deleteFdb(br, s[3], vlan == null ? 0 : vlan);
            return ApiResponse.noContent();
        }
        throw ControlException.notFound("no such route");
    }

    /** An owner label as given (null for none): printable, at most 128 characters. */
    private static String owner(String owner) throws ControlException {
        if (owner == null) {
            return null;
        }
        if (owner.isEmpty() || owner.length() > 128 || !owner.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw ControlException.badRequest("an owner is 1 to 128 printable characters, not \"" + owner + "\"");
        }
        return owner;
    }

    private static <T> T body(byte[] body, Class<T> type) throws ControlException {
        if (body.length == 0) {
            throw ControlException.badRequest("a JSON body is needed");
        }
        try {
            T value = Json.mapper().readValue(body, type);
            if (value == null) {
                throw ControlException.badRequest("a JSON object is needed");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ControlException.badRequest(JsonMistake.describe(e));
        } catch (java.io.IOException e) {
            throw ControlException.badRequest("unreadable body: " + e.getMessage());
        }
    }

    private static String param(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }

    private static Integer vlanParam(Map<String, List<String>> params) throws ControlException {
        String v = param(params, "vlan");
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ControlException.badRequest("vlan must be a number from 0 to 4094, not \"" + v + "\"");
        }
    }

    /** A whole-number query parameter from {@code min} to {@code max}; {@code absent} when not given. */
    private static int count(Map<String, List<String>> params, String name, int min, int max, int absent)
            throws ControlException {
        String v = param(params, name);
        if (v == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ControlException.badRequest(name + " must be a whole number from " + min + " to " + max + ", not \"" + v
                + "\"");
    }

    private static String[] segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static void requireMethod(String method, String... allowed) throws ControlException {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw methodNotAllowed(method, allowed);
    }

    private static ControlException methodNotAllowed(String method, String... allowed) {
        return new ControlException(405, method + " is not allowed here (allowed: " + String.join(", ", allowed) + ")");
    }
}

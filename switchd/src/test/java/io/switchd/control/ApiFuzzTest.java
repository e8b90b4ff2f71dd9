package io.switchd.control;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.switchd.Switchd;
import io.switchd.api.Json;
import io.switchd.api.model.PortChange;
import io.switchd.config.ConfigLoader;
import io.switchd.control.ControlServer.Limits;
import io.switchd.metrics.SwitchdMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Coverage-guided fuzzing (Jazzer) of the control API as a connection sees it: bytes in through
 * the same HTTP decoding, limits and router as the unix socket's connections, answers out. Every
 * answer is below 500, every error carries a JSON message, and the server never closes a
 * connection without answering. Requests are mostly built from the API's own routes, fields and
 * awkward values, so the fuzzer reaches the settings code rather than the first parse error.
 */
class ApiFuzzTest {
    /** A netdev port whose interface never exists: absent, but its settings can be changed. */
    private static final String PORT = "zz" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    private static Switchd switchd;
    private static SwitchdMetrics metrics;
    private static ApiRouter router;
    private static io.switchd.Reloader reloader;

    @BeforeAll
    static void start() throws Exception {
        switchd = Switchd.start(ConfigLoader.parse("switchd { threads = 1, state-file = \"\", bridge-defaults.mac-table-size = 16, bridges { br0.ports."
                + PORT + " {}, br1 {} } }", "fuzz.conf"));
        metrics = new SwitchdMetrics(switchd, 10);
        // reload is held back by the guard; a file that is not there would only be a 422
        reloader = new io.switchd.Reloader(java.nio.file.Path.of("/nonexistent/fuzz.conf"), switchd, null);
        router = new ApiRouter(switchd, metrics, reloader);
    }

    @AfterAll
    static void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (switchd != null) {
            switchd.close();
        }
    }

    private static final String[] METHODS = {"GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "BREW"};
    private static final String[] SEGMENTS = {"bridges", "br0", "br1", "ports", PORT, "fdb", "flush", "stats",
        "health", "reload", "metrics", "", "%zz", "%", "..", "02:00:00:00:00:01", "%62r0"};
    private static final String[] PARAMS = {"vlan", "port", "mac"};
    private static final String[] VALUES = {"10", "0", "-1", "4095", "99999999999", "%G1", "02:00:00:00:00:01",
        "ff:ff:ff:ff:ff:ff", PORT, "br0", ""};
    private static final String[] FIELDS = {"name", "type", "persistent", "admin", "vlan_mode", "vlan", "vlans",
        "native_vlan", "mac_limit", "learning", "flood", "locked", "isolated", "storm_broadcast", "storm_multicast",
        "storm_unknown_unicast", "storm_burst", "mac", "port", "static", "socket", "mode", "extra"};
    private static final String[] STRINGS = {"br0", "br9", "tap", "netdev", "vhost-user", "server", "client",
        "up", "down", "access", "trunk",
        "transparent", "hybrid", "10-20", "20-10", "1-4094", "02:00:00:00:00:01", "01:00:5e:00:00:01", "zz", "",
        "bad name!", "a/b", PORT};
    private static final String[] NUMBERS = {"0", "1", "-1", "10", "4094", "4095", "65535", "2147483648",
        "9223372036854775807", "9223372036854775808", "1e30", "10.5", "-0", "1e999999", "100000001"};

    @FuzzTest(maxDuration = "10s")
    void everyAnswerIsBelow500AndErrorsCarryAMessage(FuzzedDataProvider data) throws Exception {
        reset();
        byte[] bytes = data.consumeBoolean() ? data.consumeRemainingAsBytes() : requests(data);
        EmbeddedChannel ch = new EmbeddedChannel();
        ControlServer.pipeline(ch.pipeline(), router, true, Limits.DEFAULT, false);
        InterfaceGuard guard = new InterfaceGuard();
        ch.pipeline().addBefore(ch.pipeline().lastContext().name(), "guard", guard);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ByteBuf written = Unpooled.buffer();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            written.writeBytes(out);
            out.release();
        }
        List<FullHttpResponse> answers = answers(written.retainedDuplicate());
        try {
            for (FullHttpResponse r : answers) {
                String body = r.content().toString(StandardCharsets.UTF_8);
                check(r.status().code() < 500, "answered " + r.status() + ": " + body);
                if (r.status().code() >= 400) {
                    JsonNode error = Json.mapper().readTree(body);
                    check(error != null && error.path("error").isTextual() && !error.path("error").asText().isEmpty(),
                            r.status() + " without a JSON message: " + body);
                }
            }
            check(ch.isActive() || written.isReadable() || guard.stopped, "the connection was closed without an answer");
        } finally {
            written.release();
            answers.forEach(ReferenceCountUtil::release);
            ch.finishAndReleaseAll();
        }
    }

    /** Puts the switch back as it started, so each input is judged alone: br0 with the absent port, br1, no statics. */
    private static void reset() throws ControlException {
        for (var b : switchd.bridgeInfos()) {
            if (!b.name().equals("br0") && !b.name().equals("br1")) {
                switchd.deleteBridge(b.name());
            }
        }
        if (switchd.bridge("br1") == null) {
            switchd.addBridge("br1");
        }
        switchd.flush("br0", null, true);
        switchd.flush("br1", null, true);
        switchd.changePort("br0", PORT, new PortChange("up", "transparent", null, null, null, 0, true, true, false,
                false, 0L, 0L, 0L, 100L));
    }

    /** One or two requests built from the API's routes and fields, with values that are often wrong. */
    private static byte[] requests(FuzzedDataProvider d) {
        StringBuilder sb = new StringBuilder();
        for (int n = d.consumeInt(1, 2); n > 0; n--) {
            String method = d.consumeBoolean() ? d.pickValue(METHODS) : d.consumeAsciiString(8);
            StringBuilder path = new StringBuilder(d.consumeInt(0, 9) == 0 ? "/" + d.consumeAsciiString(12) : "/v1");
            for (int s = d.consumeInt(0, 5); s > 0; s--) {
                path.append('/').append(d.consumeBoolean() ? d.pickValue(SEGMENTS) : d.consumeAsciiString(6));
            }
            for (int q = d.consumeInt(0, 2); q > 0; q--) {
                path.append(q == 1 ? '&' : '?').append(d.pickValue(PARAMS)).append('=')
                        .append(d.consumeBoolean() ? d.pickValue(VALUES) : d.consumeAsciiString(6));
            }
            String body = switch (d.consumeInt(0, 3)) {
                case 0 -> "";
                case 1 -> d.consumeAsciiString(40);
                default -> object(d, 0);
            };
            sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: switchd\r\n");
            if (d.consumeBoolean()) {
                sb.append(d.consumeAsciiString(20)).append("\r\n");
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            int length = d.consumeInt(0, 7) == 0 ? d.consumeInt(0, 100) : b.length;
            sb.append("Content-Length: ").append(length).append("\r\n\r\n").append(body);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String object(FuzzedDataProvider d, int depth) {
        StringBuilder sb = new StringBuilder("{");
        for (int f = d.consumeInt(0, 4); f > 0; f--) {
            sb.append('"').append(d.pickValue(FIELDS)).append("\": ").append(value(d, depth)).append(f > 1 ? ", " : "");
        }
        return sb.append('}').toString();
    }

    private static String value(FuzzedDataProvider d, int depth) {
        switch (d.consumeInt(0, 7)) {
            case 0:
                return '"' + d.pickValue(STRINGS) + '"';
            case 1:
                return quote(d.consumeAsciiString(12));
            case 2:
                return d.pickValue(NUMBERS);
            case 3:
                return Long.toString(d.consumeLong());
            case 4:
                return d.pickValue(new String[] {"true", "false", "null"});
            case 5:
                return depth < 2 ? "[" + value(d, depth + 1) + ", " + value(d, depth + 1) + "]" : "[]";
            case 6:
                return depth < 2 ? object(d, depth + 1) : "{}";
            default:
                return "[\"" + d.pickValue(STRINGS) + "\", " + d.pickValue(NUMBERS) + "]";
        }
    }

    private static String quote(String s) {
        try {
            return Json.mapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decodes what the server wrote into responses; each must decode whole. */
    private static List<FullHttpResponse> answers(ByteBuf written) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
        decoder.writeInbound(written);
        decoder.finish();
        List<FullHttpResponse> answers = new ArrayList<>();
        Object r;
        while ((r = decoder.readInbound()) != null) {
            FullHttpResponse res = (FullHttpResponse) r;
            answers.add(res);
            check(res.decoderResult().isSuccess(), "an answer that does not decode: " + res.decoderResult());
        }
        return answers;
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /**
     * Keeps the fuzzer off the host: a request that would attach an interface (POST to a ports
     * route: a netdev port opens a real one, a tap port creates one) or remove br0 or its port goes
     * no further. Nor does HEAD: its answer has a Content-Length but no body, which a response
     * decoder cannot tell from the next answer. Nor a reload: it reads the daemon's config file,
     * not the request (and this switch was started from text). The guard closes the connection
     * there, as the codec already expects an answer to that request. Everything else reaches the
     * router.
     */
    private static final class InterfaceGuard extends ChannelInboundHandlerAdapter {
        boolean stopped;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (stopped || (msg instanceof FullHttpRequest req && touchesHost(req.method().name(), req.uri()))) {
                ReferenceCountUtil.release(msg);
                stopped = true;
                ctx.close();
                return;
            }
            ctx.fireChannelRead(msg);
        }

        private static boolean touchesHost(String method, String uri) {
            if (method.equals("HEAD")) {
                return true;
            }
            List<String> segments;
            try {
                segments = Arrays.asList(new QueryStringDecoder(uri).path().split("/"));
            } catch (IllegalArgumentException e) {
                return false; // the router answers 400 before it looks further
            }
            return (method.equals("POST") && segments.contains("ports"))
                    || segments.contains("reload")
                    || (method.equals("DELETE") && segments.contains("br0") && !segments.contains("fdb"));
        }
    }
}

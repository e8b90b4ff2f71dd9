package io.switchd.control;

import io.switchd.bridge.Bridge;
import io.switchd.capture.BpfProgram;
import io.switchd.capture.Capture;
import io.switchd.capture.CaptureRing;
import io.switchd.capture.Captures;
import io.switchd.capture.PcapFilter;
import io.switchd.frame.EthernetFrame;
import io.switchd.port.Port;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/bridges/BR/capture?port=P&vlan=V&direction=in|out|both&filter=F&count=N&snaplen=S}:
 * checks every choice before anything starts (a mistake is a 4xx and nothing runs), then answers
 * with the stream.
 */
final class CaptureRequest {
    /** The snaplen when none is asked for, and the largest: a whole frame, up to 64 KiB. */
    static final int MAX_SNAPLEN = 65535;

    private CaptureRequest() {}

    static ApiResponse start(Captures captures, String bridgeName, Bridge bridge, Map<String, List<String>> params)
            throws ControlException {
        if (bridge == null) {
            throw ControlException.notFound("no bridge " + bridgeName);
        }
        List<Port> ports = ports(bridge, params.getOrDefault("port", List.of()));
        int directions = directions(one(params, "direction"));
        int vlan = vlan(one(params, "vlan"));
        long count = number(one(params, "count"), "count", 0, Long.MAX_VALUE, 0);
        int snaplen = (int) number(one(params, "snaplen"), "snaplen", 14, MAX_SNAPLEN, MAX_SNAPLEN);
        String filterText = one(params, "filter");
        BpfProgram filter = null;
        if (filterText != null && !filterText.isBlank()) {
            try {
                filter = PcapFilter.compile(filterText, snaplen, bridge.counters().stripes());
            } catch (PcapFilter.FilterException e) {
                throw new ControlException(e.missingLibrary() ? 503 : 400,
                        e.missingLibrary() ? e.getMessage() : "filter \"" + filterText + "\": " + e.getMessage());
            }
        }
        if (captures.running() >= captures.max()) {
            throw tooMany(captures);
        }
        List<String> names = new ArrayList<>();
        int[] indexes = new int[ports.size()];
        for (int i = 0; i < ports.size(); i++) {
            names.add(ports.get(i).name());
            indexes[i] = ports.get(i).index();
        }
        // Slots sized for the largest frame the ports' MTUs let through (tag included), not for 64 KiB:
        // the ring then holds thousands of frames, not a few dozen. An offload super-frame, longer by
        // design, is kept up to that size (its original length stays in the block).
        int largest = 0;
        for (Port p : ports) {
            largest = Math.max(largest, p.mtu() + EthernetFrame.HEADER_LENGTH + EthernetFrame.TAG_LENGTH);
        }
        Capture c = new Capture(captures.nextId(), names, indexes, directions, vlan, filter,
                new CaptureRing(Math.min(snaplen, largest), Captures.RING_BYTES), bridge.counters().stripes());
        CaptureStream stream = new CaptureStream(captures, bridge, c, count, snaplen);
        return ApiResponse.stream(ctx -> {
            if (!captures.start(bridge, c)) { // another started since the check above
                HttpHandler.respond(ctx, ApiResponse.error(429, tooMany(captures).getMessage()), false);
                return;
            }
            stream.start(ctx.channel());
        });
    }

    private static ControlException tooMany(Captures captures) {
        return new ControlException(429, "at most " + captures.max() + " captures run at once (switchd.control.max-captures);"
                + " end one first");
    }

    /** The named ports, each once; every port of the bridge when none is named. */
    private static List<Port> ports(Bridge bridge, List<String> names) throws ControlException {
        if (names.isEmpty()) {
            List<Port> all = bridge.ports();
            if (all.isEmpty()) {
                throw ControlException.badRequest("bridge " + bridge.name() + " has no ports to capture on");
            }
            return all;
        }
        Set<String> seen = new LinkedHashSet<>(names);
        List<Port> out = new ArrayList<>();
        for (String n : seen) {
            Port p = bridge.port(n);
            if (p == null) {
                throw ControlException.notFound("bridge " + bridge.name() + " has no port " + n);
            }
            out.add(p);
        }
        return out;
    }

    private static int directions(String v) throws ControlException {
        if (v == null || v.equals("both")) {
            return Capture.BOTH;
        }
        if (v.equals("in")) {
            return Capture.IN;
        }
        if (v.equals("out")) {
            return Capture.OUT;
        }
        throw ControlException.badRequest("direction is in, out or both, not \"" + v + "\"");
    }

    private static int vlan(String v) throws ControlException {
        return v == null ? -1 : (int) number(v, "vlan", 1, 4094, -1);
    }

    private static long number(String v, String name, long min, long max, long absent) throws ControlException {
        if (v == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ControlException.badRequest(name + " must be a whole number from " + min + " to " + max + ", not \"" + v
                + "\"");
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }
}

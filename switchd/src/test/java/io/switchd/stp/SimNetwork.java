package io.switchd.stp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * RstpBridges joined by in-memory point-to-point links under a fake clock: what a bridge sends
 * on a port reaches the port at the link's other end, at once and in order. Time moves only in
 * {@link #advance}, 100 ms at a time, so every run is the same.
 */
final class SimNetwork {
    static final int STEP_MILLIS = 100;
    /** The test timers: hello 1 s, max age 6 s, forward delay 4 s. */
    static final int HELLO = 1;
    static final int MAX_AGE = 6;
    static final int FORWARD_DELAY = 4;

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    long now;
    /** BPDUs that arrived with their message age at max age. */
    long expired;

    /** A bridge named {@code name} whose address ends in {@code lastByte}: lower is the better root. */
    Node bridge(String name, int lastByte, StpMode mode) {
        Node node = new Node(name, 0x0200_0000_0000L | lastByte);
        node.rstp.setMode(mode);
        node.rstp.setTimes(HELLO, MAX_AGE, FORWARD_DELAY);
        nodes.put(name, node);
        return node;
    }

    /** Joins port {@code portA} of {@code a} to {@code portB} of {@code b}: non-edge ports, link up. */
    Link link(Node a, int portA, Node b, int portB) {
        Link link = new Link(a, portA, b, portB);
        // one bridge at both ends is a loop through something that floods BPDUs (a hub, a switch with STP off)
        a.bridgeEnd(portA, link);
        b.bridgeEnd(portB, link);
        up(link);
        return link;
    }

    void up(Link link) {
        link.up = true;
        link.a.rstp.portEnabled(link.portA, true, true);
        link.b.rstp.portEnabled(link.portB, true, true);
        deliver();
    }

    /** The link goes down, as both ends see when a cable is pulled. */
    void cut(Link link) {
        link.up = false;
        inFlight.removeIf(f -> f.link == link);
        link.a.rstp.portEnabled(link.portA, false, true);
        link.b.rstp.portEnabled(link.portB, false, true);
        deliver();
    }

    /** Moves the clock on by {@code millis}, delivering every BPDU as it is sent. */
    void advance(long millis) {
        for (long end = now + millis; now < end; ) {
            now += STEP_MILLIS;
            for (Node n : nodes.values()) {
                n.rstp.tick(now);
            }
            deliver();
        }
    }

    /**
     * Advances until {@code condition} holds, failing if it does not within {@code millis};
     * returns how long it took.
     */
    long within(long millis, String what, BooleanSupplier condition) {
        long start = now;
        while (!condition.getAsBoolean()) {
            if (now - start >= millis) {
                fail(what + " did not happen within " + millis + " ms\n" + describe());
            }
            advance(STEP_MILLIS);
        }
        return now - start;
    }

    /** Advances {@code millis}, failing the moment {@code condition} stops holding. */
    void holds(long millis, String what, BooleanSupplier condition) {
        for (long end = now + millis; now < end; advance(STEP_MILLIS)) {
            if (!condition.getAsBoolean()) {
                fail(what + " stopped holding after " + (millis - (end - now)) + " ms\n" + describe());
            }
        }
    }

    private void deliver() {
        for (int n = 0; !inFlight.isEmpty(); n++) {
            if (n > 100_000) {
                fail("BPDUs never stop: a storm of protocol messages\n" + describe());
            }
            InFlight f = inFlight.poll();
            ByteBuf buf = Unpooled.wrappedBuffer(f.frame);
            BpduStatus status = f.to.rstp.receive(f.port, buf, 0, f.frame.length);
            // information relayed once too often arrives expired (9.3.4), as the standard means it to
            if (status != BpduStatus.VALID && status != BpduStatus.MESSAGE_AGE_EXCEEDED) {
                fail("a BPDU over " + f.link + " was not taken: " + status);
            }
            if (status == BpduStatus.MESSAGE_AGE_EXCEEDED) {
                expired++;
            }
        }
    }

    Node node(String name) {
        return nodes.get(name);
    }

    Collection<Node> nodes() {
        return nodes.values();
    }

    /** Every port of every bridge in {@code role}, as "bridge.port". */
    List<String> portsIn(PortRole role) {
        return ports(p -> p.role() == role);
    }

    /** Every port of every bridge in {@code state}, as "bridge.port". */
    List<String> portsIn(StpState state) {
        return ports(p -> p.state() == state);
    }

    private List<String> ports(Predicate<RstpStatus.Port> which) {
        List<String> found = new ArrayList<>();
        for (Node n : nodes.values()) {
            for (RstpStatus.Port p : n.status().ports()) {
                if (which.test(p)) {
                    found.add(n.name + "." + p.number());
                }
            }
        }
        return found;
    }

    String describe() {
        StringBuilder s = new StringBuilder("at " + now + " ms:\n");
        for (Node n : nodes.values()) {
            RstpStatus st = n.status();
            s.append("  ").append(n.name).append(' ').append(BridgeId.format(st.bridgeId())).append(" root ")
                    .append(BridgeId.format(st.rootId())).append(" via port ").append(st.rootPort()).append(" cost ")
                    .append(st.rootCost()).append('\n');
            for (RstpStatus.Port p : st.ports()) {
                s.append("    ").append(p).append('\n');
            }
        }
        return s.toString();
    }

    private record InFlight(Link link, Node to, int port, byte[] frame) {
    }

    final class Node implements RstpListener {
        final String name;
        final long mac;
        final RstpBridge rstp;
        final Map<Integer, Link> links = new LinkedHashMap<>();
        final List<Integer> flushes = new ArrayList<>();
        final List<Integer> guardTrips = new ArrayList<>();
        /** Each port's state as the listener was last told it. */
        final Map<Integer, StpState> states = new LinkedHashMap<>();
        /** Every BPDU sent, as "port:TYPE". */
        final List<String> sent = new ArrayList<>();
        private final Bpdu read = new Bpdu();

        Node(String name, long mac) {
            this.name = name;
            this.mac = mac;
            this.rstp = new RstpBridge(mac, this, Unpooled.buffer(64), now);
        }

        RstpStatus status() {
            return rstp.status(now);
        }

        RstpStatus.Port port(int number) {
            return status().ports().stream().filter(p -> p.number() == number).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " has no port " + number));
        }

        void bridgeEnd(int port, Link link) {
            rstp.addPort(port, mac + ((long) port << 24));
            rstp.setPortEdge(port, EdgeMode.OFF);
            links.put(port, link);
        }

        /** A port with no bridge behind it (a host's), up. */
        void hostPort(int number) {
            rstp.addPort(number, mac + ((long) number << 24));
            rstp.portEnabled(number, true, true);
        }

        @Override
        public void transmit(int port, ByteBuf frame, int offset, int length) {
            byte[] bytes = new byte[length];
            frame.getBytes(offset, bytes);
            BpduStatus status = read.decode(Unpooled.wrappedBuffer(bytes), 0, length);
            if (status != BpduStatus.VALID && status != BpduStatus.MESSAGE_AGE_EXCEEDED) {
                fail(name + " sent a bad BPDU: " + status);
            }
            sent.add(port + ":" + read.type());
            Link link = links.get(port);
            if (link != null && link.up && !link.muted(this)) {
                boolean fromA = link.a == this && link.portA == port;
                inFlight.add(new InFlight(link, fromA ? link.b : link.a, fromA ? link.portB : link.portA, bytes));
            }
        }

        @Override
        public void stateChanged(int port, StpState state) {
            states.put(port, state);
        }

        @Override
        public void flush(int port) {
            flushes.add(port);
        }

        @Override
        public void bpduGuardTripped(int port, java.util.OptionalLong sender) {
            guardTrips.add(port);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final class Link {
        final Node a;
        final int portA;
        final Node b;
        final int portB;
        boolean up;
        /** BPDUs from this end are lost (a one-way failure, or a peer that went quiet). */
        Node mutedFrom;

        Link(Node a, int portA, Node b, int portB) {
            this.a = a;
            this.portA = portA;
            this.b = b;
            this.portB = portB;
        }

        int port(Node n) {
            return n == a ? portA : portB;
        }

        Node peer(Node n) {
            return n == a ? b : a;
        }

        boolean muted(Node from) {
            return mutedFrom == from;
        }

        @Override
        public String toString() {
            return a + "." + portA + "-" + b + "." + portB;
        }
    }
}

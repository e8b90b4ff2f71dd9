package io.switchd.stp;

import io.netty.buffer.ByteBuf;
import io.switchd.stp.SimNetwork.Link;
import io.switchd.stp.SimNetwork.Node;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.switchd.stp.SimNetwork.FORWARD_DELAY;
import static io.switchd.stp.SimNetwork.HELLO;
import static io.switchd.stp.SimNetwork.MAX_AGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol between bridges, in a simulated network with a fake clock (timers as in the issue:
 * hello 1 s, max age 6 s, forward delay 4 s).
 */
class RstpNetworkTest {
    private static final long HELLO_MS = HELLO * 1000L;
    private static final long FORWARD_DELAY_MS = FORWARD_DELAY * 1000L;

    private final SimNetwork net = new SimNetwork();

    /** Joins a and b by two links, 1 to 1 and 2 to 2, and waits for proposal and agreement to settle them. */
    private Link[] twoLinksConverged(Node a, Node b) {
        Link[] links = {net.link(a, 1, b, 1), net.link(a, 2, b, 2)};
        net.within(HELLO_MS, "proposal and agreement converging", () -> net.portsIn(StpState.FORWARDING).size() == 3);
        return links;
    }

    /** Bridge b, joined to {@code a} by two links, root by its priority though its address is higher. */
    private Node rootByPriority(Node a) {
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        b.rstp.setPriority(4096);
        twoLinksConverged(a, b);
        return b;
    }

    /** Bridges a, b and c in a ring, a.1 to b.1, b.2 to c.1, c.2 to a.2; returns the link from c to a. */
    private Link triangle() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        Node c = net.bridge("c", 0x0c, StpMode.RSTP);
        net.link(a, 1, b, 1);
        net.link(b, 2, c, 1);
        return net.link(c, 2, a, 2);
    }

    private static boolean forwarding(Node n, int port) {
        return n.port(port).state() == StpState.FORWARDING;
    }

    @Test
    void twoBridgesWithTwoLinksBlockOneWithinAHelloTime() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        twoLinksConverged(a, b);

        assertTrue(a.status().isRoot(), net.describe());
        assertEquals(a.status().bridgeId(), b.status().rootId());
        assertEquals(1, b.status().rootPort());
        assertEquals(List.of("b.2"), net.portsIn(PortRole.ALTERNATE));
        assertEquals(List.of("b.2"), net.portsIn(StpState.DISCARDING));
        assertEquals(PortRole.ROOT, b.port(1).role());
        assertEquals(PortRole.DESIGNATED, a.port(1).role());
        assertEquals(PortRole.DESIGNATED, a.port(2).role());
        // and it stays so: no port flaps while hellos go on
        net.holds(10 * HELLO_MS, "one link blocked", () -> net.portsIn(StpState.DISCARDING).equals(List.of("b.2")));
        for (Node n : net.nodes()) {
            for (RstpStatus.Port p : n.status().ports()) {
                assertEquals(p.state(), n.states.get(p.number()), "what " + n + " was told of port " + p.number());
            }
            assertEquals(0, n.rstp.unsettled());
        }
    }

    @Test
    void theLowerPriorityIsRootWhateverTheAddresses() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = rootByPriority(a);
        assertTrue(b.status().isRoot());
        assertEquals("1000.02000000000b", BridgeId.format(a.status().rootId()));
        assertEquals(List.of("a.2"), net.portsIn(PortRole.ALTERNATE));
        assertEquals(1, a.status().rootChanges(), "a followed itself, then b");
        assertEquals(0, b.status().rootChanges(), "a new priority for the same bridge is no change of root");
    }

    @Test
    void whenTheRootGetsWorseItsOldInformationDiesWithinMaxAge() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = rootByPriority(a);
        // RSTP's count to infinity: the old root's information goes round the two links until its
        // message age reaches max age (802.1D-2004 17.3 leaves it at that, paced by the hold count)
        b.rstp.setPriority(61440);
        net.within(MAX_AGE * 1000L, "a root", () -> a.status().isRoot() && b.status().rootId() == a.status().bridgeId());
        net.within(HELLO_MS, "one link blocked", () -> net.portsIn(StpState.DISCARDING).equals(List.of("b.2")));
    }

    @Test
    void rootChangesCountEachNewRootBridge() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        net.link(a, 1, b, 1);
        net.within(HELLO_MS, "convergence", () -> b.status().rootId() == a.status().bridgeId());
        assertEquals(0, a.status().rootChanges());
        assertEquals(1, b.status().rootChanges(), "b followed itself, then a");
        b.rstp.setPriority(4096);
        net.within(HELLO_MS, "b root", () -> a.status().rootId() == b.status().bridgeId());
        b.rstp.setPriority(61440);
        net.within(HELLO_MS, "a root again", () -> b.status().rootId() == a.status().bridgeId());
        assertEquals(2, a.status().rootChanges());
        assertEquals(3, b.status().rootChanges());
    }

    @Test
    void rstpFailsOverWithinAHelloTimeWhenTheForwardingLinkGoesDown() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        Link first = twoLinksConverged(a, b)[0];
        net.advance(5 * HELLO_MS);

        net.cut(first);
        net.within(HELLO_MS, "the alternate port forwarding", () -> forwarding(b, 2) && forwarding(a, 2));
        assertEquals(2, b.status().rootPort());
        assertEquals(PortRole.ROOT, b.port(2).role());
        assertTrue(net.portsIn(PortRole.ALTERNATE).isEmpty(), net.describe());
    }

    @Test
    void stpFailsOverWithinTheForwardDelayTimersNotSooner() {
        Node a = net.bridge("a", 0x0a, StpMode.STP);
        Node b = net.bridge("b", 0x0b, StpMode.STP);
        Link first = net.link(a, 1, b, 1);
        net.link(a, 2, b, 2);
        // 802.1D: listening then learning, a forward delay each; no agreements to shortcut them
        long took = net.within(MAX_AGE * 1000L + 2 * FORWARD_DELAY_MS + 1000, "STP convergence",
                () -> net.portsIn(StpState.FORWARDING).size() == 3);
        assertTrue(took >= 2 * FORWARD_DELAY_MS, "STP converged in " + took + " ms, sooner than two forward delays");
        assertEquals(List.of("b.2"), net.portsIn(PortRole.ALTERNATE));
        assertTrue(b.sent.stream().allMatch(s -> s.endsWith("CONFIG") || s.endsWith("TCN")), b.sent.toString());
        net.advance(5 * HELLO_MS);

        net.cut(first);
        net.holds(FORWARD_DELAY_MS - 1000, "the new root port still waiting", () -> !forwarding(b, 2));
        net.within(2 * FORWARD_DELAY_MS + 1000, "the new root port forwarding", () -> forwarding(b, 2));
        assertEquals(2, b.status().rootPort());
    }

    @Test
    void aTriangleBlocksExactlyOnePort() {
        Node a = triangle().b;
        net.within(HELLO_MS, "convergence", () -> net.portsIn(StpState.FORWARDING).size() == 5);
        // b's port to c is designated (b's id is lower than c's), so c's end blocks
        assertEquals(List.of("c.1"), net.portsIn(PortRole.ALTERNATE));
        assertEquals(List.of("c.1"), net.portsIn(StpState.DISCARDING));
        for (Node n : net.nodes()) {
            assertEquals(a.status().bridgeId(), n.status().rootId(), n + " agrees on the root");
        }
        net.holds(10 * HELLO_MS, "exactly one port blocked", () -> net.portsIn(StpState.DISCARDING).size() == 1);
    }

    @Test
    void anRstpPortFallsBackToStpForAnStpNeighbourAndTheTwoAgree() {
        // the 802.1D bridge is root, so its designated ports keep sending configuration BPDUs
        Node s = net.bridge("stp", 0x0a, StpMode.STP);
        Node r = net.bridge("rstp", 0x0b, StpMode.RSTP);
        net.link(s, 1, r, 1);
        net.link(s, 2, r, 2);
        net.within(MAX_AGE * 1000L + 2 * FORWARD_DELAY_MS + 1000, "convergence",
                () -> net.portsIn(StpState.FORWARDING).size() == 3);
        assertFalse(r.port(1).rstp(), net.describe());
        assertFalse(r.port(2).rstp(), net.describe());
        assertEquals(List.of("rstp.2"), net.portsIn(PortRole.ALTERNATE));
        assertEquals(s.status().bridgeId(), r.status().rootId());
        // since it fell back, only what an 802.1D bridge understands goes out on those ports
        r.sent.clear();
        net.advance(5 * HELLO_MS);
        assertTrue(r.sent.stream().allMatch(x -> x.endsWith("CONFIG") || x.endsWith("TCN")), r.sent.toString());
        assertEquals(0, r.rstp.unsettled());
    }

    @Test
    void aLinuxBridgesConfigurationBpdusMakeAnRstpPortSpeakStpAndFollowItsRoot() {
        Node r = net.bridge("rstp", 0x0a, StpMode.RSTP);
        r.hostPort(1);
        r.rstp.setPortEdge(1, EdgeMode.OFF);
        assertTrue(r.port(1).rstp());
        ByteBuf kernel = BpduTest.frame(BpduTest.KERNEL_ROOT_CONFIG);
        // the kernel ignores RST BPDUs, so it sends its own every hello whatever we say
        net.within(RstpPort.MIGRATE_TIME * 1000L + 2000, "falling back to STP", () -> {
            assertEquals(BpduStatus.VALID, r.rstp.receive(1, kernel, 0, kernel.readableBytes()));
            return !r.port(1).rstp();
        });
        assertEquals("7000.02aabbccddee", BridgeId.format(r.status().rootId()));
        assertEquals(1, r.status().rootPort());
        assertEquals(PathCost.UNKNOWN_SPEED, r.status().rootCost());
        r.sent.clear();
        net.advance(5 * HELLO_MS);
        assertTrue(r.sent.stream().noneMatch(x -> x.endsWith("RST")), r.sent.toString());
    }

    @Test
    void anEdgePortForwardsAtOnceUntilItHearsABpdu() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        a.hostPort(3); // edge = auto, the default
        assertTrue(a.port(3).edge());
        assertEquals(StpState.FORWARDING, a.port(3).state(), "no time has passed");

        Node b = net.bridge("b", 0x05, StpMode.RSTP);
        b.hostPort(7);
        b.rstp.setPortEdge(7, EdgeMode.OFF);
        // join them: b's BPDUs reach a's port 3, which stops being edge
        Link link = new Link(a, 3, b, 7);
        a.links.put(3, link);
        b.links.put(7, link);
        link.up = true;
        net.advance(HELLO_MS + SimNetwork.STEP_MILLIS);
        assertFalse(a.port(3).edge(), net.describe());
        assertEquals(PortRole.ROOT, a.port(3).role());
    }

    @Test
    void aPortThatIsNotEdgeWaitsForItsTimersWithNoPeerToAgree() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        a.hostPort(3);
        a.rstp.setPortEdge(3, EdgeMode.OFF);
        a.rstp.portEnabled(3, false, true);
        a.rstp.portEnabled(3, true, true);
        assertFalse(a.port(3).edge());
        assertEquals(StpState.DISCARDING, a.port(3).state());
        net.holds(MAX_AGE * 1000L - SimNetwork.STEP_MILLIS, "discarding", () -> !forwarding(a, 3));
        net.within(HELLO_MS * 2 + 1000, "forwarding", () -> forwarding(a, 3));
    }

    @Test
    void autoEdgeComesBackAfterThreeQuietSecondsOfProposing() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        a.hostPort(3);
        ByteBuf inferior = BpduTest.frame(BpduTest.SPEC_RST.replace("8000 02000000000a 00004e20 8000 02000000000b",
                "f000 02000000000f 00004e20 f000 02000000000f"));
        assertEquals(BpduStatus.VALID, a.rstp.receive(3, inferior, 0, inferior.readableBytes()));
        assertFalse(a.port(3).edge());
        net.within(RstpPort.MIGRATE_TIME * 1000L + 1000, "edge again", () -> a.port(3).edge());
    }

    @Test
    void bpduGuardTakesAPortOutOnItsFirstBpduUntilItIsEnabledAgain() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        a.hostPort(3);
        a.rstp.setBpduGuard(3, true);
        assertEquals(StpState.FORWARDING, a.port(3).state());
        ByteBuf kernel = BpduTest.frame(BpduTest.KERNEL_ROOT_CONFIG);
        a.rstp.receive(3, kernel, 0, kernel.readableBytes());
        assertEquals(List.of(3), a.guardTrips);
        assertEquals(StpState.DISCARDING, a.port(3).state());
        assertEquals(StpState.DISCARDING, a.states.get(3));
        assertTrue(a.port(3).bpduGuardTripped());
        assertEquals(PortRole.DISABLED, a.port(3).role());
        assertTrue(a.status().isRoot(), "the guarded port's BPDU counted for nothing");
        net.advance(10 * HELLO_MS);
        assertEquals(StpState.DISCARDING, a.port(3).state(), "it stays out");
        assertEquals(BpduStatus.PORT_DISABLED, a.rstp.receive(3, kernel, 0, kernel.readableBytes()));

        a.rstp.portEnabled(3, true, true);
        assertFalse(a.port(3).bpduGuardTripped());
        assertEquals(StpState.FORWARDING, a.port(3).state());
    }

    @Test
    void rootGuardKeepsAPortFromBecomingRootPortWhileSuperiorBpdusArrive() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        Link link = net.link(a, 1, b, 1);
        a.rstp.setRootGuard(1, true);
        net.within(HELLO_MS, "convergence", () -> forwarding(a, 1) && forwarding(b, 1));
        assertEquals(PortRole.DESIGNATED, a.port(1).role(), "inferior information is no matter to root guard");

        b.rstp.setPriority(4096);
        net.within(HELLO_MS, "the guarded port blocking", () -> !forwarding(a, 1));
        net.holds(10 * HELLO_MS, "the guarded port blocked, never root port", () -> !forwarding(a, 1)
                && a.port(1).role() == PortRole.ALTERNATE && a.status().rootPort() == 0);
        assertTrue(a.status().isRoot(), net.describe());

        link.mutedFrom = b; // the superior BPDUs stop
        net.within(3 * HELLO_MS + 3000, "the guarded port forwarding again", () -> forwarding(a, 1));
        assertEquals(PortRole.DESIGNATED, a.port(1).role());
    }

    @Test
    void aTopologyChangeFlushesTheOtherPortsButNotTheOneItCameFromNorEdgePorts() {
        Link ac = triangle();
        Node a = ac.b;
        Node b = net.node("b");
        Node c = ac.a;
        for (Node n : net.nodes()) {
            n.hostPort(3);
        }
        net.within(HELLO_MS, "convergence", () -> net.portsIn(StpState.FORWARDING).size() == 8);
        net.advance(5 * HELLO_MS);
        long changesBefore = b.status().topologyChanges();
        for (Node n : net.nodes()) {
            n.flushes.clear();
        }

        // c's alternate port takes over: c tells b, b tells a
        net.cut(ac);
        net.within(HELLO_MS, "c's alternate port forwarding", () -> forwarding(c, 1));
        net.advance(HELLO_MS);
        assertTrue(b.flushes.contains(1), "b flushed its port towards a: " + b.flushes);
        assertFalse(b.flushes.contains(2), "b flushed the port the change came in on: " + b.flushes);
        assertFalse(b.flushes.contains(3), "b flushed an edge port: " + b.flushes);
        assertFalse(a.flushes.contains(1), "a flushed the port the change came in on: " + a.flushes);
        assertFalse(a.flushes.contains(3), "a flushed an edge port: " + a.flushes);
        assertTrue(a.flushes.contains(2), "a forgot what it learned on its dead link: " + a.flushes);
        assertEquals(changesBefore + 1, b.status().topologyChanges());
        long since = b.status().secondsSinceTopologyChange();
        assertTrue(since >= 0 && since <= 2, since + " s since the change\n" + net.describe());
        net.advance(3000);
        assertEquals(since + 3, b.status().secondsSinceTopologyChange());
    }

    @Test
    void aSettingChangeRecomputesTheTreeAndIsShown() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        twoLinksConverged(a, b);
        // a cheaper second link makes it the way to the root
        b.rstp.setPortCost(2, 100);
        net.within(HELLO_MS, "the cheaper link forwarding", () -> forwarding(b, 2) && !forwarding(b, 1));
        assertEquals(2, b.status().rootPort());
        assertEquals(100, b.status().rootCost());
        assertEquals(100, b.port(2).cost());
        b.rstp.setPortCost(2, 0);
        b.rstp.setPortSpeed(2, 1000);
        assertEquals(20_000, b.port(2).cost());
        net.within(HELLO_MS, "back to the first link", () -> forwarding(b, 1) && !forwarding(b, 2));
        // port priority decides between equal links, on the designated bridge's side
        a.rstp.setPortPriority(2, 16);
        b.rstp.setPortSpeed(2, 0);
        net.within(HELLO_MS, "the preferred port's link forwarding", () -> forwarding(b, 2) && !forwarding(b, 1));
        assertEquals(16, a.port(2).priority());
    }

    @Test
    void newInformationGoesOutAtOnceAfterABurstUsedUpTheTransmitHoldCount() {
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        net.link(a, 1, b, 1);
        net.within(HELLO_MS, "convergence", () -> forwarding(a, 1) && forwarding(b, 1));
        for (int i = 0; i < 2 * RstpPort.TX_HOLD_COUNT; i++) {
            a.rstp.setPriority(i % 2 == 0 ? 4096 : 32768); // each change goes out as a BPDU at once
        }
        // with a hello time of 1 s, periodic BPDUs would keep a's count at its limit for good
        net.advance(10 * HELLO_MS);
        a.rstp.setPriority(0);
        net.within(HELLO_MS / 2, "b hearing of a's new priority", () -> b.status().rootId() == a.status().bridgeId());
    }

    @Test
    void twoPortsThatHearEachOtherMakeOneABackupPort() {
        // what a kernel bridge sees through a switch with STP off that floods its BPDUs back
        Node a = net.bridge("a", 0x0a, StpMode.RSTP);
        Node b = net.bridge("b", 0x0b, StpMode.RSTP);
        net.link(b, 1, a, 3);
        net.link(a, 1, a, 2);
        net.within(HELLO_MS, "convergence", () -> forwarding(a, 1) && forwarding(b, 1));
        assertEquals(PortRole.BACKUP, a.port(2).role(), net.describe());
        assertEquals(StpState.DISCARDING, a.port(2).state());
        assertEquals(PortRole.DESIGNATED, a.port(1).role());
        net.holds(10 * HELLO_MS, "the backup port discarding", () -> !forwarding(a, 2) && forwarding(a, 1));
    }
}

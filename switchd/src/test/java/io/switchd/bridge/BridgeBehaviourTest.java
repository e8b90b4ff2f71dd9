package io.switchd.bridge;

import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.port.DropReason;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.testing.Await;
import io.switchd.testing.Fabric;
import io.switchd.testing.Frames;
import io.switchd.testing.Host;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

import static io.switchd.testing.Frames.BROADCAST;
import static io.switchd.testing.Frames.frame;
import static io.switchd.testing.Frames.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a bridge forwards, written once and run over every fabric: memory ports (fast, exhaustive)
 * and real TAP and veth ports in namespaces (true to the kernel). A frame that must not arrive is
 * checked after a later frame from the same sender did arrive at the same host: the bridge handles
 * one port's frames in order, so by then the first one would have been there too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BridgeBehaviourTest {
    protected static final Duration WAIT = Duration.ofSeconds(30);
    /** 01:80:c2:00:00:00, the group STP's BPDUs go to. */
    protected static final long BPDU_GROUP = 0x0180_C200_0000L;
    protected Fabric fabric;

    /** Builds the topology this run uses. */
    protected abstract Fabric createFabric() throws Exception;

    @BeforeAll
    void setUpFabric() throws Exception {
        fabric = createFabric();
    }

    @AfterAll
    void tearDownFabric() throws Exception {
        if (fabric != null) {
            fabric.close();
        }
    }

    protected Host h(int n) {
        return fabric.host(n);
    }

    protected long counter(Host h, int id) {
        Bridge b = fabric.bridge("br0").port(h.port()) != null ? fabric.bridge("br0") : fabric.bridge("br1");
        Port p = b.port(h.port());
        return p.counters().get(id);
    }

    protected long drops(Host h, DropReason reason) {
        return counter(h, PortCounters.drop(reason));
    }

    /** Sends a broadcast from {@code from} and waits until every host in {@code at} has it. */
    protected void barrier(Host from, Host... at) {
        long t = token();
        long[] tx = new long[at.length];
        for (int i = 0; i < at.length; i++) {
            tx[i] = counter(at[i], PortCounters.TX_FRAMES);
        }
        from.send(frame(BROADCAST, from.mac(), t));
        for (int i = 0; i < at.length; i++) {
            Host h = at[i];
            if (!h.await(t, WAIT)) {
                throw new AssertionError("barrier broadcast from " + from.port() + " did not reach " + h.port()
                        + ": the switch sent it " + (counter(h, PortCounters.TX_FRAMES) - tx[i]) + " frame(s) meanwhile, "
                        + "egress-full " + drops(h, DropReason.EGRESS_FULL) + ", egress-error "
                        + drops(h, DropReason.EGRESS_ERROR) + "; " + from.port() + " rx "
                        + counter(from, PortCounters.RX_FRAMES) + "; host: " + h.diagnose());
            }
        }
    }

    /** Makes the bridge learn {@code h}'s address on its port. */
    protected void announce(Host h, Host... others) {
        barrier(h, others);
    }

    @Test
    void broadcastReachesEveryOtherPortOfItsBridgeAndNoOther() {
        long t = token();
        h(1).send(frame(BROADCAST, h(1).mac(), t));
        assertTrue(h(2).await(t, WAIT), "h2 gets h1's broadcast");
        assertTrue(h(3).await(t, WAIT), "h3 gets h1's broadcast");
        barrier(h(2), h(1));
        assertFalse(h(1).received(t), "a frame never goes back out of the port it came in on");
        barrier(h(5), h(4));
        barrier(h(4), h(5));
        assertFalse(h(4).received(t), "br0's broadcast leaked into br1");
        assertFalse(h(5).received(t), "br0's broadcast leaked into br1");
    }

    @Test
    void knownUnicastGoesToItsOnePort() {
        announce(h(2), h(1), h(3));
        long t = token();
        h(1).send(frame(h(2).mac(), h(1).mac(), t));
        assertTrue(h(2).await(t, WAIT), "h2 gets h1's unicast");
        barrier(h(1), h(3));
        assertFalse(h(3).received(t), "unicast to a learned address was flooded to h3");
    }

    @Test
    void unknownUnicastIsFloodedWithinTheBridge() {
        long stranger = 0x0200_00AB_CDEFL;
        long t = token();
        h(1).send(frame(stranger, h(1).mac(), t));
        assertTrue(h(2).await(t, WAIT), "unknown unicast flooded to h2");
        assertTrue(h(3).await(t, WAIT), "unknown unicast flooded to h3");
        barrier(h(5), h(4));
        assertFalse(h(4).received(t), "br0's flood leaked into br1");
    }

    @Test
    void sourcesAreLearnedPerBridgeAndMoveBetweenPorts() {
        long station = 0x0200_0000_5A5AL;
        Bridge br0 = fabric.bridge("br0");
        long moved = br0.fdb().counters().get(MacTable.C_MOVED);
        h(1).send(frame(BROADCAST, station, token()));
        barrier(h(1), h(2));
        assertEquals(br0.port(h(1).port()).index(), lookup(br0, station), "learned on h1's port");
        h(2).send(frame(BROADCAST, station, token()));
        barrier(h(2), h(1));
        assertEquals(br0.port(h(2).port()).index(), lookup(br0, station), "moved to h2's port");
        Await.equals(moved + 1, WAIT, "moves counted", () -> br0.fdb().counters().get(MacTable.C_MOVED));
        long t = token();
        h(3).send(frame(station, h(3).mac(), t));
        assertTrue(h(2).await(t, WAIT), "unicast follows the station to h2");
        barrier(h(3), h(1));
        assertFalse(h(1).received(t), "unicast still went to the station's old port");
        assertEquals(MacTable.MISSING, lookup(fabric.bridge("br1"), station), "br1 learned br0's station");
    }

    @Test
    void unicastToTheIngressPortIsDroppedAndCounted() {
        announce(h(2), h(1));
        long before = drops(h(2), DropReason.SAME_PORT);
        long t = token();
        h(2).send(frame(h(2).mac(), 0x0200_0000_7777L, t));
        Await.equals(before + 1, WAIT, "same-port drops on h2", () -> drops(h(2), DropReason.SAME_PORT));
        barrier(h(2), h(1), h(3));
        assertFalse(h(1).received(t));
        assertFalse(h(3).received(t));
    }

    @Test
    void linkLocalGroupAddressesStayUnlessTheMaskLetsThemThrough() {
        long lldp = 0x0180_C200_000EL;
        long before = drops(h(1), DropReason.LINK_LOCAL);
        long t = token();
        h(1).send(frame(lldp, h(1).mac(), t));
        Await.equals(before + 1, WAIT, "link-local drops on h1", () -> drops(h(1), DropReason.LINK_LOCAL));
        barrier(h(1), h(2), h(3));
        assertFalse(h(2).received(t), "01:80:c2:00:00:0e forwarded without the mask bit");
        assertFalse(h(3).received(t), "01:80:c2:00:00:0e forwarded without the mask bit");

        long through = token();
        h(4).send(frame(lldp, h(4).mac(), through));
        assertTrue(h(5).await(through, WAIT), "br1's mask 0x4000 lets 01:80:c2:00:00:0e through");

        long pause = token();
        h(4).send(frame(0x0180_C200_0001L, h(4).mac(), pause));
        barrier(h(4), h(5));
        assertFalse(h(5).received(pause), "PAUSE is never forwarded");
    }

    @Test
    void bpdusAreFloodedLikeAnyMulticastWhileTheBridgeRunsNoStp() {
        long linkLocal = drops(h(1), DropReason.LINK_LOCAL);
        long t = token();
        h(1).send(frame(BPDU_GROUP, h(1).mac(), t));
        assertTrue(h(2).await(t, WAIT), "br0 (mask 0) flooded 01:80:c2:00:00:00 to h2");
        assertTrue(h(3).await(t, WAIT), "br0 (mask 0) flooded 01:80:c2:00:00:00 to h3");
        barrier(h(1), h(2));
        assertFalse(h(1).received(t), "a BPDU went back out of the port it came in on");
        assertEquals(linkLocal, drops(h(1), DropReason.LINK_LOCAL), "a BPDU counted as a link-local drop");
        barrier(h(5), h(4));
        assertFalse(h(4).received(t), "br0's BPDU leaked into br1");
    }

    @Test
    void malformedFramesAreDroppedCountedAndTrafficGoesOn() {
        long multicastSource = drops(h(1), DropReason.SOURCE_MULTICAST);
        long zeroSource = drops(h(1), DropReason.SOURCE_ZERO);
        long oversize = drops(h(1), DropReason.OVERSIZE);
        long t1 = token();
        long t2 = token();
        long t3 = token();
        h(1).send(frame(BROADCAST, 0x0100_5E00_0001L, t1));
        h(1).send(frame(BROADCAST, 0, t2));
        fabric.allowOversize(h(1));
        h(1).send(frame(BROADCAST, h(1).mac(), t3, 1500 + 14 + 1));
        Await.equals(multicastSource + 1, WAIT, "source-multicast drops", () -> drops(h(1), DropReason.SOURCE_MULTICAST));
        Await.equals(zeroSource + 1, WAIT, "source-zero drops", () -> drops(h(1), DropReason.SOURCE_ZERO));
        Await.equals(oversize + 1, WAIT, "oversize drops", () -> drops(h(1), DropReason.OVERSIZE));
        barrier(h(1), h(2), h(3));
        for (long t : new long[] {t1, t2, t3}) {
            assertFalse(h(2).received(t), "a malformed frame was forwarded");
        }
        assertEquals(MacTable.MISSING, lookup(fabric.bridge("br0"), 0x0100_5E00_0001L), "a group source was learned");

        long fits = token();
        h(1).send(frame(BROADCAST, h(1).mac(), fits, 1500 + 14));
        assertTrue(h(2).await(fits, WAIT), "a frame of exactly MTU + header is forwarded");

        if (fabric.canSendRunts()) {
            long runts = drops(h(1), DropReason.RUNT);
            h(1).send(new byte[13]);
            Await.equals(runts + 1, WAIT, "runt drops", () -> drops(h(1), DropReason.RUNT));
        }
        barrier(h(1), h(2), h(3));
    }

    @Test
    void taggedFramesKeepTheirTagAndAreLearnedInTheirVlan() {
        Bridge br0 = fabric.bridge("br0");
        // h1 sits behind a TAP port (tags inline), h3 behind a netdev port (tags out of band)
        int[][] pairs = {{1, 3}, {3, 1}};
        for (int[] pair : pairs) {
            Host from = h(pair[0]);
            Host to = h(pair[1]);
            long station = 0x0200_0000_4200L | pair[0];
            long t = token();
            from.send(Frames.tagged(BROADCAST, station, 42, t));
            assertTrue(to.await(t, WAIT), from.port() + "'s tagged broadcast reaches " + to.port());
            assertEquals(42, to.vlanOf(t), "the tag survives from " + from.port() + " to " + to.port());
            assertEquals(br0.port(from.port()).index(), lookup(br0, 42, station), "learned in VLAN 42");
            assertEquals(MacTable.MISSING, lookup(br0, 0, station), "learned in VLAN 0 as well");
        }
        long inVlan = token();
        h(3).send(Frames.tagged(0x0200_0000_4201L, h(3).mac(), 42, inVlan));
        assertTrue(h(1).await(inVlan, WAIT), "unicast in VLAN 42 follows the station learned there");
        long untagged = token();
        h(3).send(frame(0x0200_0000_4201L, h(3).mac(), untagged));
        assertTrue(h(2).await(untagged, WAIT), "the same MAC in VLAN 0 is unknown, so flooded");
        barrier(h(3), h(2));
        assertFalse(h(2).received(inVlan), "unicast in VLAN 42 was flooded");
    }

    @Test
    void portCountersMoveByWhatWasSent() {
        announce(h(2), h(1), h(3));
        long rx = counter(h(1), PortCounters.RX_FRAMES);
        long tx = counter(h(2), PortCounters.TX_FRAMES);
        long txBytes = counter(h(2), PortCounters.TX_BYTES);
        long t = token();
        for (int i = 0; i < 10; i++) {
            h(1).send(frame(h(2).mac(), h(1).mac(), i == 9 ? t : token(), 100));
        }
        assertTrue(h(2).await(t, WAIT));
        Await.equals(rx + 10, WAIT, "h1 rx frames", () -> counter(h(1), PortCounters.RX_FRAMES));
        Await.equals(tx + 10, WAIT, "h2 tx frames", () -> counter(h(2), PortCounters.TX_FRAMES));
        Await.equals(txBytes + 1000, WAIT, "h2 tx bytes", () -> counter(h(2), PortCounters.TX_BYTES));
    }

    protected static int lookup(Bridge b, long mac) {
        return lookup(b, 0, mac);
    }

    protected static int lookup(Bridge b, int vlan, long mac) {
        return b.fdb().lookup(FdbKey.of(vlan, mac), io.switchd.dataplane.MonotonicClock.millis());
    }
}

package io.switchd.bridge;

import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.port.DropReason;
import io.switchd.port.PortCounters;
import io.switchd.port.PortPolicy;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.switchd.testing.Frames.BROADCAST;
import static io.switchd.testing.Frames.frame;
import static io.switchd.testing.Frames.tagged;
import static io.switchd.testing.Frames.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VLANs (access, trunk, native) and port security (mac-limit, locked, isolated, learning, flood,
 * storm control), each shown working and, switched off, not. Frames that must not arrive are
 * checked on the switch's own transmit counter for that port after a later frame from the same
 * sender arrived elsewhere, and on the capture.
 */
public abstract class PortPolicyBehaviourTest extends BridgeBehaviourTest {

    @AfterEach
    void resetPorts() {
        for (int n = 1; n <= 7; n++) {
            fabric.port(h(n)).policy(PortPolicy.DEFAULT);
        }
        fabric.bridge("br0").fdb().flush(-1, true);
        fabric.bridge("br1").fdb().flush(-1, true);
    }

    private void set(int n, PortPolicy.Builder b) {
        fabric.port(h(n)).policy(b.build());
    }

    private long tx(Host h) {
        return counter(h, PortCounters.TX_FRAMES);
    }

    /** Sends {@code frame} from {@code from}; it must reach every host in {@code reach} with the given tags, and none in {@code miss}. */
    private void expect(Host from, byte[] frameBytes, long t, int[] reach, int[] tags, int... miss) {
        long[] before = new long[miss.length];
        for (int i = 0; i < miss.length; i++) {
            before[i] = tx(h(miss[i]));
        }
        from.send(frameBytes);
        for (int i = 0; i < reach.length; i++) {
            assertTrue(h(reach[i]).await(t, WAIT), from.port() + "'s frame did not reach h" + reach[i]);
            assertEquals(tags[i], h(reach[i]).vlanOf(t), "tag on the way to h" + reach[i] + " (-1: untagged)");
        }
        // a later frame from the same sender: by its arrival the first one was fully handled
        long b = token();
        from.send(frameBytes.length >= 16 && Frames.vlanOf(frameBytes) >= 0
                ? tagged(BROADCAST, from.mac(), Frames.vlanOf(frameBytes), b) : frame(BROADCAST, from.mac(), b));
        if (reach.length > 0) {
            assertTrue(h(reach[0]).await(b, WAIT), "barrier");
        }
        for (int i = 0; i < miss.length; i++) {
            assertFalse(h(miss[i]).received(t), "h" + miss[i] + " got a frame it must not see");
            assertTrue(tx(h(miss[i])) - before[i] <= 1, "h" + miss[i] + " was sent the frame");
        }
    }

    private static int[] hosts(int... n) {
        return n;
    }

    @ParameterizedTest(name = "trunk on h{0}")
    @ValueSource(ints = {3, 6}) // h3: a netdev trunk (tags out of band); h6: a TAP trunk (tags inline)
    void accessPortsReachTheirOwnVlanAndATrunkCarriesBothTagged(int trunk) {
        int other = trunk == 3 ? 6 : 3;
        set(1, PortPolicy.builder().access(10));
        set(7, PortPolicy.builder().access(10));
        set(2, PortPolicy.builder().access(20));
        set(other, PortPolicy.builder().access(20));
        set(trunk, PortPolicy.builder().trunk(List.of(10, 20), -1));

        long t = token();
        expect(h(1), frame(BROADCAST, h(1).mac(), t), t, hosts(7, trunk), hosts(-1, 10), 2, other);
        t = token();
        expect(h(2), frame(BROADCAST, h(2).mac(), t), t, hosts(other, trunk), hosts(-1, 20), 1, 7);
        t = token();
        expect(h(trunk), tagged(BROADCAST, h(trunk).mac(), 20, t), t, hosts(2, other), hosts(-1, -1), 1, 7);
        t = token();
        expect(h(trunk), tagged(BROADCAST, h(trunk).mac(), 10, t), t, hosts(1, 7), hosts(-1, -1), 2, other);

        long notMember = drops(h(trunk), DropReason.VLAN_NOT_MEMBER);
        h(trunk).send(frame(BROADCAST, h(trunk).mac(), token()));
        h(trunk).send(tagged(BROADCAST, h(trunk).mac(), 30, token()));
        Await.equals(notMember + 2, WAIT, "untagged (no native VLAN) and VLAN 30 on the trunk",
                () -> drops(h(trunk), DropReason.VLAN_NOT_MEMBER));
        long onAccess = drops(h(1), DropReason.VLAN_TAGGED_ON_ACCESS);
        h(1).send(tagged(BROADCAST, h(1).mac(), 10, token()));
        Await.equals(onAccess + 1, WAIT, "a tagged frame on an access port",
                () -> drops(h(1), DropReason.VLAN_TAGGED_ON_ACCESS));

        // the same station in both VLANs is two entries; unicast follows each
        long station = 0x0200_0000_5151L;
        h(1).send(frame(BROADCAST, station, token()));
        h(2).send(frame(BROADCAST, station, token()));
        Bridge br0 = fabric.bridge("br0");
        Await.until(WAIT, "the station learned in VLAN 10 and 20", () -> lookup(br0, 10, station) >= 0
                && lookup(br0, 20, station) >= 0);
        assertEquals(fabric.port(h(1)).index(), lookup(br0, 10, station));
        assertEquals(fabric.port(h(2)).index(), lookup(br0, 20, station));
        t = token();
        expect(h(7), frame(station, h(7).mac(), t), t, hosts(1), hosts(-1), 2, other);
        t = token();
        expect(h(trunk), tagged(station, h(trunk).mac(), 20, t), t, hosts(2), hosts(-1), 1, 7, other);
    }

    @Test
    void anUntaggedBpduFloodsInItsPortsVlanAsTheKernelBridgeWithVlanFilteringDoes() {
        set(1, PortPolicy.builder().access(10));
        set(7, PortPolicy.builder().access(10));
        set(2, PortPolicy.builder().access(20));
        set(6, PortPolicy.builder().access(20));
        set(3, PortPolicy.builder().trunk(List.of(10, 20), -1));
        long t = token();
        expect(h(1), frame(BPDU_GROUP, h(1).mac(), t), t, hosts(7, 3), hosts(-1, 10), 2, 6);
        // the kernel drops an untagged frame on a port without a PVID, BPDU or not
        long notMember = drops(h(3), DropReason.VLAN_NOT_MEMBER);
        h(3).send(frame(BPDU_GROUP, h(3).mac(), token()));
        Await.equals(notMember + 1, WAIT, "an untagged BPDU on a trunk without native VLAN",
                () -> drops(h(3), DropReason.VLAN_NOT_MEMBER));
    }

    @Test
    void nativeVlanFramesLeaveUntaggedAndPriorityTagsJoinIt() {
        set(1, PortPolicy.builder().access(10));
        set(2, PortPolicy.builder().access(20));
        set(3, PortPolicy.builder().trunk(List.of(20), 10));
        long t = token();
        expect(h(1), frame(BROADCAST, h(1).mac(), t), t, hosts(3), hosts(-1), 2);
        t = token();
        expect(h(3), frame(BROADCAST, h(3).mac(), t), t, hosts(1), hosts(-1), 2);
        t = token();
        expect(h(3), tagged(BROADCAST, h(3).mac(), 20, t), t, hosts(2), hosts(-1), 1);
        t = token();
        expect(h(2), frame(BROADCAST, h(2).mac(), t), t, hosts(3), hosts(20), 1);
        t = token();
        expect(h(3), tagged(BROADCAST, h(3).mac(), 0, t), t, hosts(1), hosts(-1), 2);
    }

    @Test
    void reservedVlanAndCutTagsAreDropped() {
        long invalid = drops(h(1), DropReason.VLAN_INVALID);
        long cut = drops(h(1), DropReason.VLAN_TRUNCATED);
        h(1).send(tagged(BROADCAST, h(1).mac(), 4095, token()));
        byte[] shortTag = java.util.Arrays.copyOf(tagged(BROADCAST, h(1).mac(), 5, token()), 16);
        h(1).send(shortTag);
        Await.equals(invalid + 1, WAIT, "VID 4095 drops", () -> drops(h(1), DropReason.VLAN_INVALID));
        Await.equals(cut + 1, WAIT, "cut tag drops", () -> drops(h(1), DropReason.VLAN_TRUNCATED));
    }

    @Test
    void macLimitCapsNewSourcesAndMovesOntoThePort() {
        set(1, PortPolicy.builder().macLimit(3));
        long limited = drops(h(1), DropReason.MAC_LIMIT);
        long[] sources = {0x0200_0000_7001L, 0x0200_0000_7002L, 0x0200_0000_7003L, 0x0200_0000_7004L};
        long[] tokens = new long[sources.length];
        for (int i = 0; i < sources.length; i++) {
            tokens[i] = token();
            h(1).send(frame(BROADCAST, sources[i], tokens[i]));
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(h(2).await(tokens[i], WAIT), "source " + i + " within the limit");
        }
        Await.equals(limited + 1, WAIT, "mac-limit drops", () -> drops(h(1), DropReason.MAC_LIMIT));
        long b = token();
        h(1).send(frame(BROADCAST, sources[0], b)); // a later frame from a source within the limit
        assertTrue(h(2).await(b, WAIT));
        assertFalse(h(2).received(tokens[3]), "the fourth source got through");
        long elsewhere = 0x0200_0000_7009L;
        h(2).send(frame(BROADCAST, elsewhere, token()));
        barrier(h(2), h(3));
        h(1).send(frame(BROADCAST, elsewhere, token()));
        Await.equals(limited + 2, WAIT, "a move onto the full port refused", () -> drops(h(1), DropReason.MAC_LIMIT));
        assertEquals(fabric.port(h(2)).index(), lookup(fabric.bridge("br0"), elsewhere), "the other port keeps its station");

        set(1, PortPolicy.builder().macLimit(0));
        long t = token();
        h(1).send(frame(BROADCAST, sources[3], t));
        assertTrue(h(2).await(t, WAIT), "without a limit the fourth source passes");
    }

    @Test
    void aLockedPortLetsOnlyItsStaticSourcesSend() {
        long allowed = 0x0200_0000_8001L;
        fabric.bridge("br0").fdb().putStatic(FdbKey.of(0, allowed), fabric.port(h(1)).index());
        set(1, PortPolicy.builder().locked(true));
        long locked = drops(h(1), DropReason.LOCKED);
        long ok = token();
        long refused = token();
        h(1).send(frame(BROADCAST, allowed, ok));
        h(1).send(frame(BROADCAST, h(1).mac(), refused));
        assertTrue(h(2).await(ok, WAIT), "a static source of the locked port sends");
        Await.equals(locked + 1, WAIT, "locked drops", () -> drops(h(1), DropReason.LOCKED));
        h(1).send(frame(BROADCAST, allowed, token()));
        assertFalse(h(2).received(refused), "an unknown source sent through a locked port");
        assertEquals(MacTable.MISSING, lookup(fabric.bridge("br0"), h(1).mac()), "a locked port learned");

        set(1, PortPolicy.builder().locked(false));
        long t = token();
        h(1).send(frame(BROADCAST, h(1).mac(), t));
        assertTrue(h(2).await(t, WAIT), "unlocked, any source sends");
    }

    @Test
    void isolatedPortsReachOnlyNonIsolatedOnes() {
        set(1, PortPolicy.builder().isolated(true));
        set(2, PortPolicy.builder().isolated(true));
        long t = token();
        expect(h(1), frame(BROADCAST, h(1).mac(), t), t, hosts(3), hosts(-1), 2);
        t = token();
        expect(h(3), frame(BROADCAST, h(3).mac(), t), t, hosts(1, 2), hosts(-1, -1));
        announce(h(2), h(3));
        long isolated = drops(h(1), DropReason.ISOLATED);
        h(1).send(frame(h(2).mac(), h(1).mac(), token()));
        Await.equals(isolated + 1, WAIT, "isolated unicast drops", () -> drops(h(1), DropReason.ISOLATED));

        set(2, PortPolicy.builder().isolated(false));
        t = token();
        expect(h(1), frame(h(2).mac(), h(1).mac(), t), t, hosts(2), hosts(-1));
    }

    @Test
    void withoutLearningAPortsSourcesStayUnknown() {
        set(1, PortPolicy.builder().learning(false));
        long station = 0x0200_0000_9001L;
        h(1).send(frame(BROADCAST, station, token()));
        barrier(h(1), h(2));
        assertEquals(MacTable.MISSING, lookup(fabric.bridge("br0"), station), "learned with learning off");
        long t = token();
        expect(h(2), frame(station, h(2).mac(), t), t, hosts(1, 3), hosts(-1, -1));

        set(1, PortPolicy.builder().learning(true));
        h(1).send(frame(BROADCAST, station, token()));
        barrier(h(1), h(2));
        assertEquals(fabric.port(h(1)).index(), lookup(fabric.bridge("br0"), station));
    }

    @Test
    void withoutFloodAPortGetsNoUnknownUnicastButStillBroadcast() {
        set(3, PortPolicy.builder().flood(false));
        long stranger = 0x0200_00EE_0001L;
        long t = token();
        expect(h(1), frame(stranger, h(1).mac(), t), t, hosts(2), hosts(-1), 3);
        t = token();
        expect(h(1), frame(BROADCAST, h(1).mac(), t), t, hosts(2, 3), hosts(-1, -1));
        set(3, PortPolicy.builder().flood(true));
        t = token();
        expect(h(1), frame(stranger, h(1).mac(), t), t, hosts(2, 3), hosts(-1, -1));
    }

    /**
     * Storm control is wired to the port with the loop's clock: a full bucket lets a burst through
     * and drops the rest, and refills after a pause. Bounds only, each holding however late the
     * switch reads: at least the burst (the bucket is full when reading starts), at most the burst
     * plus what the rate adds from before the first send to after the last read. The rate's
     * arithmetic is StormControlTest's, on a clock the test moves.
     */
    @Test
    void stormControlLetsABurstThroughDropsTheRestAndRefillsAfterAPause() {
        long rate = 500;
        long burst = 100;
        set(1, PortPolicy.builder().storm(rate, 0, 0, burst));
        byte[] f = frame(BROADCAST, h(1).mac(), token());
        for (String round : new String[] {"a fresh bucket", "a bucket refilled by a pause"}) {
            long rx = counter(h(1), PortCounters.RX_FRAMES);
            long dropped = drops(h(1), DropReason.STORM_BROADCAST);
            long start = System.nanoTime();
            for (int i = 0; i < 3 * burst; i++) {
                h(1).send(f);
            }
            Await.until(WAIT, "the switch reading the " + 3 * burst + " broadcasts",
                    () -> counter(h(1), PortCounters.RX_FRAMES) >= rx + 3 * burst);
            double seconds = (System.nanoTime() - start) / 1e9;
            long admitted = counter(h(1), PortCounters.RX_FRAMES) - rx - (drops(h(1), DropReason.STORM_BROADCAST) - dropped);
            assertTrue(admitted >= burst, round + " let " + admitted + " broadcasts through, less than its burst " + burst);
            double allowed = burst + rate * seconds;
            assertTrue(admitted <= allowed + 1, round + " let " + admitted + " broadcasts through in " + seconds
                    + " s; the rate and burst allow " + allowed);
            // the last frame was read before the count showed it: from now on, the bucket refills
            long refilled = System.nanoTime() + 2 * burst * 1_000_000_000L / rate;
            for (long left = refilled - System.nanoTime(); left > 0; left = refilled - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(left); // time the bucket needs, not a wait for a result
            }
        }

        set(1, PortPolicy.builder().storm(0, 0, 0, 1));
        long t = token();
        h(1).send(frame(BROADCAST, h(1).mac(), t));
        assertTrue(h(2).await(t, WAIT), "without storm control broadcasts pass");
        // and its copy to h3 too, before the next test counts what is sent to h3
        assertTrue(h(3).await(t, WAIT), "without storm control broadcasts pass");
    }

    @Test
    void aMacFloodFillsNeitherTheTableNorTheHeapAndEvictsNobody() {
        Bridge br0 = fabric.bridge("br0");
        announce(h(2), h(3));
        announce(h(3), h(2));
        announce(h(1), h(2));
        long heapBefore = usedHeapAfterGc();
        long full = br0.fdb().counters().get(MacTable.C_FULL);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long rx = counter(h(1), PortCounters.RX_FRAMES);
        int total = 0;
        for (int round = 0; round < 12; round++) {
            for (int i = 0; i < 500; i++) {
                long src = (r.nextLong() & 0xFCFF_FFFF_FFFFL) | 0x0200_0000_0000L; // unicast, local
                h(1).send(frame(h(1).mac(), src, 0)); // to h1 itself: learned there, so never flooded
            }
            total += 500;
            long expect = rx + total;
            Await.until(WAIT, "the switch keeping up with the flood",
                    () -> counter(h(1), PortCounters.RX_FRAMES) >= expect - 100);
        }
        long now = io.switchd.dataplane.MonotonicClock.millis();
        assertTrue(br0.fdb().size(now) <= 4096, "the table grew past its size: " + br0.fdb().size(now));
        assertTrue(br0.fdb().counters().get(MacTable.C_FULL) > full, "a full table was not counted");
        assertEquals(fabric.port(h(2)).index(), lookup(br0, h(2).mac()), "h2 was evicted");
        assertEquals(fabric.port(h(3)).index(), lookup(br0, h(3).mac()), "h3 was evicted");
        long t = token();
        expect(h(2), frame(h(3).mac(), h(2).mac(), t), t, hosts(3), hosts(-1), 1, 6, 7);
        long growth = usedHeapAfterGc() - heapBefore;
        assertTrue(growth < 32L << 20, "the heap grew by " + (growth >> 20) + " MB");
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

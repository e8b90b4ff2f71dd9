package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.sys.PacketRing;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.HeldLoop;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netdev ports read through a receive ring whose slots hold small frames; frames too big for a
 * slot take the socket's queue instead. Small, MTU-sized and jumbo frames, tagged and untagged,
 * interleaved, all cross between two netdev ports byte for byte and in the order sent.
 */
class PacketRingTest {
    private static final int MTU = 9000;
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The longest frame a ring slot holds (its tag, if any, taken off): {@link PacketRing#SLOT_SIZE}. */
    private static final int SLOT_HOLDS = 180;

    @Test
    void framesThatFitARingSlotAndFramesThatDoNotCrossIntactAndInOrder() throws Exception {
        acrossTwoNetdevPorts((s, from, to, ingress) -> {
            int[] lengths = {60, 4000, 1514, 8000, 2100, 64};
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                byte[] f = frame(i, lengths[i % lengths.length]);
                sent.add(f);
                from.send(f);
            }
            arriveAsSent(to, sent);
        });
    }

    /**
     * Bursts of small, MTU-sized and jumbo frames, interleaved, wait whole in the ring while the loop
     * is held: the big ones (over a slot) are read off the socket several per system call, as many
     * as the loop's buffer holds, and every frame still crosses byte for byte, tag and all, in the
     * order sent.
     */
    @Test
    void bigFramesOfABurstAreReadOffTheSocketInBatchesAndCrossInOrder() throws Exception {
        acrossTwoNetdevPorts((s, from, to, ingress) -> {
            PacketSocketPort in = (PacketSocketPort) s.bridge("br0").port(ingress);
            int[] lengths = {60, 200, 1000, 1514, 8000};
            List<byte[]> sent = new ArrayList<>();
            int big = 0;
            long reads = in.queueReads;
            long frames = in.queuedFrames;
            for (int b = 0; b < 4; b++) {
                byte[][] burst = new byte[64][];
                for (int i = 0; i < burst.length; i++) {
                    int length = lengths[(i + b) % lengths.length];
                    burst[i] = frame(sent.size(), length);
                    sent.add(burst[i]);
                    big += length > SLOT_HOLDS ? 1 : 0;
                }
                try (HeldLoop held = HeldLoop.hold(s.dataPlane().loop(0))) {
                    from.sendBurst(burst);
                }
            }
            arriveAsSent(to, sent);
            assertEquals(big, in.queuedFrames - frames, "every frame over a ring slot was read off the socket");
            long calls = in.queueReads - reads;
            assertTrue(calls < big, big + " frames read off the socket in " + calls + " system calls");
        });
    }

    /**
     * The socket's queue fills while the loop is held (a thousand jumbo frames are more than its
     * memory; the ring holds them all): the frames it had no room for are counted as
     * kernel-queue-full, those it held still cross as sent and in order, each read for its own
     * slot, and so does a burst after them.
     */
    @Test
    void framesTheSocketQueueHadNoRoomForAreCountedAndTheOthersStillMatchTheirSlots() throws Exception {
        acrossTwoNetdevPorts((s, from, to, ingress) -> {
            Port in = s.bridge("br0").port(ingress);
            int queueFull = PortCounters.drop(DropReason.KERNEL_QUEUE_FULL);
            long rx = in.counters().get(PortCounters.RX_FRAMES);
            long full = in.counters().get(queueFull);
            byte[][] flood = new byte[1000][];
            for (int i = 0; i < flood.length; i++) {
                flood[i] = frame(i, 9000);
            }
            try (HeldLoop held = HeldLoop.hold(s.dataPlane().loop(0))) {
                from.sendBurst(flood);
            }
            Await.equals(rx + flood.length, WAIT, "frames the port read or counted as dropped",
                    () -> in.counters().get(PortCounters.RX_FRAMES));
            long dropped = in.counters().get(queueFull) - full;
            assertTrue(dropped > 0 && dropped < flood.length, "the queue held some of the flood, not all: " + dropped);
            int next = 0;
            for (long k = 0; k < flood.length - dropped; k++) {
                byte[] got = to.take();
                assertNotNull(got, "frame " + k + " of the " + (flood.length - dropped) + " the queue held arrived");
                long token = Frames.tokenOf(got);
                while (next < flood.length && Frames.tokenOf(flood[next]) != token) {
                    next++;
                }
                assertTrue(next < flood.length, "frame " + k + " that arrived is one sent, after the one before it");
                assertArrayEquals(flood[next++], got, "frame " + k + " arrived as sent");
            }
            byte[][] burst = new byte[64][];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = frame(i, i % 2 == 0 ? 1514 : 60);
            }
            try (HeldLoop held = HeldLoop.hold(s.dataPlane().loop(0))) {
                from.sendBurst(burst);
            }
            arriveAsSent(to, List.of(burst));
        });
    }

    /**
     * A small frame of another conversation goes ahead of the big frames waiting before it (a ping
     * does not wait behind a TCP window), while the frames of one conversation keep their order
     * and nothing passes a big frame whose conversation cannot be told.
     */
    @Test
    void aSmallFrameOfAnotherConversationGoesAheadOfBigFramesAndNoConversationIsReordered() throws Exception {
        acrossTwoNetdevPorts((s, from, to, ingress) -> {
            PacketSocketPort in = (PacketSocketPort) s.bridge("br0").port(ingress);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add(ipv4(17, 1400)); // 0-9: a UDP stream's big frames
            }
            sent.add(ipv4(1, 98)); // 10: a ping between the same hosts
            sent.add(ipv4(17, 100)); // 11: the UDP stream's small frame
            sent.add(frame(0, 1400)); // 12: a big frame of no conversation that can be told
            sent.add(ipv4(1, 98)); // 13: another ping
            long overtaken = in.overtaken;
            try (HeldLoop held = HeldLoop.hold(s.dataPlane().loop(0))) {
                from.sendBurst(sent.toArray(new byte[0][]));
            }
            List<byte[]> expected = new ArrayList<>();
            expected.add(sent.get(10));
            expected.addAll(sent.subList(0, 10));
            expected.addAll(sent.subList(11, 14));
            arriveAsSent(to, expected);
            assertEquals(1, in.overtaken - overtaken, "frames that went ahead of their turn");
        });
    }

    /** An IPv4 frame between two hosts, of protocol {@code protocol}, {@code length} bytes, payload random. */
    private static byte[] ipv4(int protocol, int length) {
        byte[] f = Frames.frame(0x0200_0000_0CFFL, 0x0200_0000_0C01L, Frames.token(), length);
        ThreadLocalRandom.current().nextBytes(f);
        byte[] head = {2, 0, 0, 0, 0x0C, (byte) 0xFF, 2, 0, 0, 0, 0x0C, 1, 0x08, 0x00, 0x45, 0};
        System.arraycopy(head, 0, f, 0, head.length);
        f[14 + 9] = (byte) protocol;
        byte[] addresses = {(byte) 198, 18, 0, 1, (byte) 198, 18, 0, 2};
        System.arraycopy(addresses, 0, f, 14 + 12, addresses.length);
        return f;
    }

    /** Test frame {@code i} of {@code length} bytes: every other pair tagged, its payload random. */
    private static byte[] frame(int i, int length) {
        long src = 0x0200_0000_0C01L;
        long dst = 0x0200_0000_0CFFL;
        byte[] f = i % 4 < 2 ? Frames.tagged(dst, src, 10 + i % 3, Frames.token(), length + 4)
                : Frames.frame(dst, src, Frames.token(), length);
        byte[] payload = new byte[f.length - 32];
        ThreadLocalRandom.current().nextBytes(payload);
        System.arraycopy(payload, 0, f, 32, payload.length);
        return f;
    }

    /** Takes as many frames as were sent at {@code to}: each arrived, as sent, in order. */
    private static void arriveAsSent(RawSocket to, List<byte[]> sent) {
        for (int i = 0; i < sent.size(); i++) {
            byte[] got = to.take();
            assertNotNull(got, "frame " + i + " of " + sent.size() + " arrived");
            assertArrayEquals(sent.get(i), got,
                    "frame " + i + " (" + sent.get(i).length + " bytes) arrived as sent, in order");
        }
    }

    /** What a test does with a switch of two netdev ports, a host behind each. */
    private interface Crossing {
        void run(Switchd s, RawSocket from, RawSocket to, String ingress) throws Exception;
    }

    /**
     * Runs {@code test} on a switch with one loop and two netdev ports on jumbo veths, whose peers
     * are in namespaces of their own (without addresses, so the receiving socket sees just the test
     * and IPv4 frames the test sent); removes all of it afterwards.
     */
    private static void acrossTwoNetdevPorts(Crossing test) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String[] veths = {"sw" + id + "r1", "sw" + id + "r2"};
        List<Netns> namespaces = new ArrayList<>();
        Switchd s = null;
        try {
            for (int i = 0; i < 2; i++) {
                Netns ns = Netns.create("switchd-test-" + id + "-r" + (i + 1));
                namespaces.add(ns);
                Netns.run("ip", "link", "add", veths[i], "mtu", Integer.toString(MTU), "type", "veth", "peer", "name",
                        "eth0", "netns", ns.name());
                // no IPv6 chatter: what the ports receive is what the tests send
                ns.exec("sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1");
                ns.exec("ip", "link", "set", "eth0", "mtu", Integer.toString(MTU), "up");
            }
            s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, bridges.br0.ports { " + veths[0]
                    + " { type = netdev }, " + veths[1] + " { type = netdev } } }", "PacketRingTest"));
            try (RawSocket from = RawSocket.open(namespaces.get(0), "eth0");
                 RawSocket to = RawSocket.openForTestAndIpv4Frames(namespaces.get(1), "eth0")) {
                test.run(s, from, to, veths[0]);
            }
        } finally {
            if (s != null) {
                s.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String v : veths) {
                Netns.status("ip", "link", "del", v);
            }
        }
    }
}

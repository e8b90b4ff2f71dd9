package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.api.model.PortStats;
import io.switchd.config.ConfigLoader;
import io.switchd.metrics.SwitchdMetrics;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.HeldLoop;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames the kernel drops because switchd fell behind show up as the port's kernel-queue-full
 * drops: the only forwarding loop is held while a host sends far more than the port's kernel queue
 * holds (a TAP moved into the host's namespace, and a veth attached as a netdev port), so every
 * frame sent is either read by switchd or counted by the kernel as dropped, and the counter moves.
 */
class KernelDropsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Well above a TAP's queue (its txqueuelen, 1000 frames) and a packet socket's buffer or ring. */
    private static final int BURST = 40_000;
    private static final String REASON = DropReason.KERNEL_QUEUE_FULL.label();

    @Test
    void framesTheKernelCouldNotQueueToAPortCountAsItsDrops() throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String tap = "sw" + id + "k";
        String veth = "sw" + id + "n";
        List<Netns> namespaces = new ArrayList<>();
        Switchd s = null;
        try {
            Netns ns1 = Netns.create("switchd-test-" + id + "-k1");
            namespaces.add(ns1);
            Netns ns2 = Netns.create("switchd-test-" + id + "-k2");
            namespaces.add(ns2);
            Netns.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns2.name());
            s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, bridges.br0.ports { " + tap
                    + " { type = tap }, " + veth + " { type = netdev } } }", "KernelDropsTest"));
            Netns.run("ip", "link", "set", tap, "netns", ns1.name());
            ns1.exec("ip", "link", "set", tap, "up");
            ns2.exec("ip", "link", "set", "eth0", "up");
            long[] before = new long[2];
            try (RawSocket fromTap = RawSocket.open(ns1, tap); RawSocket fromVeth = RawSocket.open(ns2, "eth0")) {
                try (HeldLoop held = HeldLoop.hold(s.dataPlane().loop(0))) {
                    // what the TAP sent while it was still in our namespace (IPv6 chatter) is in by now
                    before[0] = seen(s, tap);
                    before[1] = seen(s, veth);
                    burst(fromTap, 0x0200_0000_0B01L);
                    burst(fromVeth, 0x0200_0000_0B02L);
                }
            }
            String[] ports = {tap, veth};
            for (int i = 0; i < ports.length; i++) {
                String port = ports[i];
                Switchd daemon = s;
                Await.equals(before[i] + BURST, WAIT, port + ": frames read plus frames the kernel dropped",
                        () -> seen(daemon, port));
                long dropped = stats(s, port).drops().get(REASON);
                assertTrue(dropped > 0 && dropped < BURST, port + ": the kernel dropped some, not all: " + dropped);
                try (SwitchdMetrics metrics = new SwitchdMetrics(s, 10)) {
                    assertEquals(dropped, PrometheusText.value(metrics.scrape(), "switchd_port_dropped_frames_total{bridge=\"br0\","
                            + "direction=\"rx\",port=\"" + port + "\",reason=\"" + REASON + "\"}"), 0.0, port + " in /metrics");
                }
            }
        } finally {
            if (s != null) {
                s.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            Netns.status("ip", "link", "del", veth);
        }
    }

    /** Sends {@link #BURST} frames from {@code src} to an address nobody has. */
    private static void burst(RawSocket socket, long src) {
        byte[] frame = Frames.frame(0x0200_0000_0BFFL, src, Frames.token());
        for (int i = 0; i < BURST; i++) {
            socket.send(frame);
        }
    }

    /** Frames that reached the port's kernel queue: read by switchd, or dropped there. */
    private static long seen(Switchd s, String port) {
        PortStats st = stats(s, port);
        return st.rxFrames() + st.drops().get(REASON);
    }

    private static PortStats stats(Switchd s, String port) {
        try {
            return s.stats("br0", port).get(0);
        } catch (io.switchd.control.ControlException e) {
            throw new IllegalStateException(e);
        }
    }
}

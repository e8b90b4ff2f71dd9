package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Multi-queue TAP ports: a queue per forwarding loop, every queue read, and existing TAPs of
 * either kind attached as they were made.
 */
class TapQueuesTest {
    private static final int FLOWS = 64;
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void aTapSwitchdCreatesHasAQueuePerLoopAndTheFlowsOfEveryQueueArrive() throws Exception {
        requireNamespaces();
        String a = "sw" + id + "qa";
        String b = "sw" + id + "qb";
        try (Netns nsA = Netns.create("switchd-test-" + id + "-qa");
             Netns nsB = Netns.create("switchd-test-" + id + "-qb")) {
            Switchd s = Switchd.start(ConfigLoader.parse("switchd { threads = 2, bridges.br0.ports { "
                    + a + " { type = tap }, " + b + " { type = tap } } }", "test"));
            try {
                host(nsA, a, "10.213.0.1");
                host(nsB, b, "10.213.0.2");
                for (Netns ns : new Netns[] {nsA, nsB}) {
                    String link = ns.exec("ip", "-d", "link", "show");
                    assertTrue(link.contains("multi_queue") && link.contains("numqueues 2"), link);
                }
                // The kernel puts each flow on a queue by its hash: of 64 flows, some land on each
                // of the two queues but for odds of 2^-63, and a queue nobody reads loses them all.
                Set<Integer> arrived = flowsArriving(nsA, nsB, "10.213.0.2");
                assertEquals(FLOWS, arrived.size(), "flows that crossed the switch: " + arrived);
            } finally {
                s.close();
            }
            assertTrue(nsA.execStatus("ip", "link", "show", a) != 0 && nsB.execStatus("ip", "link", "show", b) != 0,
                    "the taps switchd made went with it, every queue closed");
        }
    }

    @Test
    void existingTapsAreOpenedWithTheQueuesTheyWereMadeFor() throws Exception {
        requireNamespaces();
        String single = "sw" + id + "qs";
        String multi = "sw" + id + "qm";
        try {
            Netns.run("ip", "tuntap", "add", "dev", single, "mode", "tap");
            Netns.run("ip", "tuntap", "add", "dev", multi, "mode", "tap", "multi_queue");
            // two loops ask a single-queue tap for two queues; one loop asks a multi-queue tap for one
            for (int threads : new int[] {2, 1}) {
                Switchd s = Switchd.start(ConfigLoader.parse("switchd { threads = " + threads
                        + ", bridges.br0.ports { " + single + " { type = tap }, " + multi + " { type = tap } } }", "test"));
                try {
                    assertEquals(PortState.UP, s.bridge("br0").port(single).state());
                    assertEquals(PortState.UP, s.bridge("br0").port(multi).state());
                    assertTrue(!Netns.run("ip", "-d", "link", "show", single).contains("multi_queue"));
                    assertTrue(Netns.run("ip", "-d", "link", "show", multi).contains("numqueues " + threads),
                            Netns.run("ip", "-d", "link", "show", multi));
                } finally {
                    s.close();
                }
                assertTrue(Netns.run("ip", "-d", "link", "show", multi).contains("numqueues 0"),
                        "every queue is closed with the port");
            }
        } finally {
            for (String name : new String[] {single, multi}) {
                if (Interfaces.exists(name)) {
                    Netns.status("ip", "link", "del", name);
                }
            }
        }
    }

    private static void requireNamespaces() {
        if (!Netns.required()) {
            assumeTrue(Netns.available(), "needs root, /dev/net/tun and iproute2");
        }
    }

    private static void host(Netns ns, String ifname, String address) {
        Netns.run("ip", "link", "set", ifname, "netns", ns.name());
        ns.exec("ip", "addr", "add", address + "/24", "dev", ifname);
        ns.exec("ip", "link", "set", ifname, "up");
    }

    /** Sends from FLOWS source ports until each has arrived once or a deadline passes; returns those that did. */
    private static Set<Integer> flowsArriving(Netns from, Netns to, String address) throws Exception {
        InetSocketAddress target = new InetSocketAddress(address, 7007);
        try (DatagramChannel receiver = to.inside(() -> DatagramChannel.open().bind(target))) {
            receiver.configureBlocking(false);
            List<DatagramChannel> senders = from.inside(() -> {
                List<DatagramChannel> list = new ArrayList<>();
                for (int i = 0; i < FLOWS; i++) {
                    list.add(DatagramChannel.open().bind(new InetSocketAddress(0)));
                }
                return list;
            });
            Set<Integer> arrived = new HashSet<>();
            ByteBuffer buf = ByteBuffer.allocate(64);
            try {
                long[] lastSend = {0};
                try {
                    Await.until(Duration.ofSeconds(10), "all " + FLOWS + " flows to arrive", () -> {
                        try {
                            InetSocketAddress src;
                            while ((src = (InetSocketAddress) receiver.receive(buf.clear())) != null) {
                                arrived.add(src.getPort());
                            }
                            if (System.nanoTime() - lastSend[0] > 100_000_000L) {
                                lastSend[0] = System.nanoTime();
                                for (DatagramChannel c : senders) {
                                    int port = ((InetSocketAddress) c.getLocalAddress()).getPort();
                                    if (!arrived.contains(port)) {
                                        c.send(ByteBuffer.wrap(new byte[] {1}), target);
                                    }
                                }
                            }
                            return arrived.size() == FLOWS;
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                } catch (AssertionError e) {
                    return arrived; // the caller's assertion names the flows that did
                }
                return arrived;
            } finally {
                for (DatagramChannel c : senders) {
                    c.close();
                }
            }
        }
    }
}

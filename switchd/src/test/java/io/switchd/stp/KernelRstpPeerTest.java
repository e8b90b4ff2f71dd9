package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static io.switchd.testing.Frames.BROADCAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchd running RSTP and a kernel bridge running 802.1D STP, joined by two veth links: the two
 * agree on the root (the kernel bridge, by its lower priority), one of the four ports blocks,
 * a broadcast crosses once, and when the forwarding link goes down traffic crosses on the other
 * within 802.1D's timers. switchd's ports fall back to STP on hearing the kernel's BPDUs.
 */
class KernelRstpPeerTest {
    /** The shortened timers, the same on both bridges. */
    private static final int HELLO_TIME = 1;
    private static final int FORWARD_DELAY = 4;
    private static final int MAX_AGE = 6;
    /** 802.1D takes max age to expire old information and two forward delays to forward; twice that for a loaded machine. */
    private static final Duration CONVERGED = Duration.ofSeconds(2L * (2 * FORWARD_DELAY + MAX_AGE));
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String KERNEL_FORWARDING = "3";

    @Test
    void switchdAndAKernelBridgeAgreeOnTheRootBlockOneLinkAndFailOverToTheOther(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String link1 = "sr" + id + "a";
        String link2 = "sr" + id + "b";
        String toHost = "sr" + id + "h";
        List<Netns> namespaces = new ArrayList<>();
        TestDaemon d = null;
        try {
            Netns kernel = Netns.create("switchd-test-" + id + "-rk");
            namespaces.add(kernel);
            Netns behindKernel = Netns.create("switchd-test-" + id + "-ra");
            namespaces.add(behindKernel);
            Netns behindSwitchd = Netns.create("switchd-test-" + id + "-rb");
            namespaces.add(behindSwitchd);

            kernel.exec("ip", "link", "add", "name", "kbr", "type", "bridge", "stp_state", "1", "priority", "4096",
                    "hello_time", centiseconds(HELLO_TIME), "forward_delay", centiseconds(FORWARD_DELAY),
                    "max_age", centiseconds(MAX_AGE));
            Netns.run("ip", "link", "add", link1, "type", "veth", "peer", "name", "l1", "netns", kernel.name());
            Netns.run("ip", "link", "add", link2, "type", "veth", "peer", "name", "l2", "netns", kernel.name());
            Netns.run("ip", "link", "add", toHost, "type", "veth", "peer", "name", "eth0", "netns", behindSwitchd.name());
            kernel.exec("ip", "link", "add", "lh", "type", "veth", "peer", "name", "eth0", "netns", behindKernel.name());
            for (String port : new String[] {"l1", "l2", "lh"}) {
                kernel.exec("ip", "link", "set", port, "master", "kbr", "up");
            }
            kernel.exec("ip", "link", "set", "kbr", "up");
            long hostA = 0x0200_0000_0B01L;
            long hostB = 0x0200_0000_0B02L;
            up(behindKernel, hostA);
            up(behindSwitchd, hostB);
            for (String link : new String[] {link1, link2, toHost}) {
                Netns.run("ip", "link", "set", link, "up");
            }
            d = TestDaemon.start(dir, "br0 { stp { mode = rstp, hello-time = 1s, max-age = 6s, forward-delay = 4s },"
                    + " ports { " + link1 + " { stp.edge = false }, " + link2 + " { stp.edge = false }, "
                    + toHost + " {} } }", null);
            TestDaemon daemon = d;

            String ports = link1 + ", " + link2 + " (switchd) and l1, l2 (kernel)";
            try {
                Await.until(CONVERGED, "exactly one of " + ports + " blocking", () -> blocked(daemon, kernel, link1, link2) == 1
                        && kernelForwarding(kernel) + switchdForwarding(daemon, link1, link2) == 3);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; now " + describe(daemon, kernel, link1, link2), e);
            }
            JsonNode tree = stpShow(daemon);
            String kernelRoot = kernel.exec("cat", "/sys/class/net/kbr/bridge/root_id").trim();
            String kernelSelf = kernel.exec("cat", "/sys/class/net/kbr/bridge/bridge_id").trim();
            assertEquals(kernelSelf, kernelRoot, "the kernel bridge, priority 4096, is root in its own view");
            assertEquals(BridgeId.format(BridgeId.parse(kernelRoot)), tree.get("root_id").asText(),
                    "the root in switchd's view: " + tree);
            assertEquals(link1, tree.get("root_port").asText(), tree.toString());
            assertEquals("discarding", stpState(daemon, link2),
                    "the alternate port: the same root cost on both links, the lower port id wins");

            String metrics = daemon.client().text("/metrics");
            assertEquals(1.0, PrometheusText.value(metrics, "switchd_stp_root_changes_total{bridge=\"br0\"}"),
                    "switchd followed itself, then the kernel bridge");
            assertTrue(PrometheusText.value(metrics, "switchd_stp_topology_changes_total{bridge=\"br0\"}") >= 1,
                    "a port going forwarding is a topology change");
            assertTrue(PrometheusText.value(metrics, "switchd_stp_bpdus_total{bridge=\"br0\",direction=\"rx\",port=\""
                    + link1 + "\"}") > 0, "the kernel's BPDUs counted");
            assertTrue(PrometheusText.value(metrics, "switchd_stp_bpdus_total{bridge=\"br0\",direction=\"tx\",port=\""
                    + toHost + "\"}") > 0, "switchd's BPDUs out of its designated port counted");
            assertEquals(1.0, PrometheusText.value(metrics, "switchd_stp_port_state{bridge=\"br0\",port=\"" + link2
                    + "\",state=\"discarding\"}"));

            try (RawSocket a = RawSocket.open(behindKernel, "eth0"); RawSocket b = RawSocket.open(behindSwitchd, "eth0")) {
                long t = Frames.token();
                a.send(Frames.frame(BROADCAST, hostA, t));
                int[] copies = new int[1];
                readUntil(b, t, t, copies);
                long barrier = Frames.token();
                a.send(Frames.frame(BROADCAST, hostA, barrier));
                readUntil(b, barrier, t, copies);
                assertEquals(1, copies[0], "copies of one broadcast at the host behind switchd");

                Netns.run("ip", "link", "set", link1, "down");
                long[] sent = new long[1];
                Await.until(CONVERGED, "a broadcast crossing on " + link2 + " after " + link1 + " went down", () -> {
                    long token = Frames.token();
                    a.send(Frames.frame(BROADCAST, hostA, token));
                    sent[0]++;
                    long deadline = System.nanoTime() + 200_000_000L;
                    while (System.nanoTime() < deadline) {
                        byte[] f = b.take();
                        if (f != null && Frames.tokenOf(f) == token) {
                            return true;
                        }
                    }
                    return false;
                });
                assertEquals("forwarding", stpState(daemon, link2));
                assertEquals(link2, stpShow(daemon).get("root_port").asText(), link2 + " is root port now");
            }
        } finally {
            if (d != null) {
                d.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String link : new String[] {link1, link2, toHost}) {
                Netns.status("ip", "link", "del", link);
            }
        }
    }

    /** br0's tree as `switchctl stp show br0 -j` shows it. */
    private static JsonNode stpShow(TestDaemon d) throws Exception {
        TestDaemon.CliResult r = d.switchctl("stp", "show", "br0", "-j");
        assertEquals(0, r.status(), r.err());
        JsonNode trees = Json.mapper().readTree(r.out());
        assertEquals(1, trees.size(), r.out());
        assertEquals("rstp", trees.get(0).get("mode").asText(), r.out());
        return trees.get(0);
    }

    /** A port's stp_state as `switchctl port list br0 -j` shows it. */
    private static String stpState(TestDaemon d, String port) {
        TestDaemon.CliResult r = d.switchctl("port", "list", "br0", "-j");
        try {
            for (JsonNode p : Json.mapper().readTree(r.out())) {
                if (p.get("name").asText().equals(port)) {
                    return p.get("stp_state").asText();
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("port list -j: " + r.out() + r.err(), e);
        }
        throw new AssertionError("no port " + port + " in " + r.out());
    }

    private static int blocked(TestDaemon s, Netns kernel, String link1, String link2) {
        return 4 - kernelForwarding(kernel) - switchdForwarding(s, link1, link2);
    }

    private static int kernelForwarding(Netns kernel) {
        int n = 0;
        for (String p : new String[] {"l1", "l2"}) {
            n += kernel.exec("cat", "/sys/class/net/kbr/brif/" + p + "/state").trim().equals(KERNEL_FORWARDING) ? 1 : 0;
        }
        return n;
    }

    private static int switchdForwarding(TestDaemon s, String link1, String link2) {
        int n = 0;
        for (String p : new String[] {link1, link2}) {
            n += stpState(s, p).equals("forwarding") ? 1 : 0;
        }
        return n;
    }

    private static String describe(TestDaemon s, Netns kernel, String link1, String link2) {
        String k = kernel.exec("cat", "/sys/class/net/kbr/brif/l1/state", "/sys/class/net/kbr/brif/l2/state")
                .trim().replaceAll("\\s+", " ");
        return "kernel l1 l2 " + k + " (3 forwarding, 4 blocking); switchd " + s.switchctl("stp", "show", "-j").out();
    }

    private static String centiseconds(int seconds) {
        return Integer.toString(seconds * 100);
    }

    private static void up(Netns ns, long mac) {
        ns.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(mac));
        ns.exec("ip", "link", "set", "dev", "eth0", "up");
    }

    /** Reads test frames from {@code socket} until one carries {@code until}, counting in {@code copies} those carrying {@code counted}. */
    private static void readUntil(RawSocket socket, long until, long counted, int[] copies) {
        Await.until(WAIT, "a frame carrying " + Long.toHexString(until) + " at the host behind switchd", () -> {
            byte[] f = socket.take();
            long t = f == null ? 0 : Frames.tokenOf(f);
            if (t == counted) {
                copies[0]++;
            }
            return t == until;
        });
    }
}

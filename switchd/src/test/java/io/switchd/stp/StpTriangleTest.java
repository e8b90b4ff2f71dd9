package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static io.switchd.testing.KernelStpPeer.BLOCKING;
import static io.switchd.testing.KernelStpPeer.CONVERGED;
import static io.switchd.testing.KernelStpPeer.FORWARDING;
import static io.switchd.testing.KernelStpPeer.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A triangle of three bridges, two switchd daemons running RSTP and a kernel bridge running
 * 802.1D, each pair joined by one veth link and a host behind each: the three agree on a tree that
 * cuts the triangle at exactly one port, a broadcast reaches each other host once, and every host
 * reaches every other.
 */
class StpTriangleTest {
    /** A subnet of its own: the machine may hold addresses of the documentation ranges, and its stack answers ARP on the veths. */
    private static final String NET = "10.252." + ThreadLocalRandom.current().nextInt(1, 255) + ".";

    @Test
    void threeBridgesInATriangleBlockOnePortAndEveryHostReachesEveryOther(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String ab = "tr" + id + "ab";
        String ba = "tr" + id + "ba";
        String ak = "tr" + id + "ak";
        String bk = "tr" + id + "bk";
        String ha = "tr" + id + "ha";
        String hb = "tr" + id + "hb";
        List<Netns> namespaces = new ArrayList<>();
        try {
            Netns kernel = made(namespaces, Netns.create("switchd-test-" + id + "-tk"));
            Netns hostA = made(namespaces, Netns.create("switchd-test-" + id + "-ta"));
            Netns hostB = made(namespaces, Netns.create("switchd-test-" + id + "-tb"));
            Netns hostK = made(namespaces, Netns.create("switchd-test-" + id + "-tc"));
            kernel.exec("ip", "link", "add", "name", "kbr", "type", "bridge", "stp_state", "1",
                    "hello_time", "100", "forward_delay", "400", "max_age", "600");
            Netns.run("ip", "link", "add", ab, "type", "veth", "peer", "name", ba);
            Netns.run("ip", "link", "add", ak, "type", "veth", "peer", "name", "la", "netns", kernel.name());
            Netns.run("ip", "link", "add", bk, "type", "veth", "peer", "name", "lb", "netns", kernel.name());
            Netns.run("ip", "link", "add", ha, "type", "veth", "peer", "name", "eth0", "netns", hostA.name());
            Netns.run("ip", "link", "add", hb, "type", "veth", "peer", "name", "eth0", "netns", hostB.name());
            kernel.exec("ip", "link", "add", "lh", "type", "veth", "peer", "name", "eth0", "netns", hostK.name());
            for (String port : new String[] {"la", "lb", "lh"}) {
                kernel.exec("ip", "link", "set", port, "master", "kbr", "up");
            }
            kernel.exec("ip", "link", "set", "kbr", "up");
            for (String link : new String[] {ab, ba, ak, bk, ha, hb}) {
                Netns.run("ip", "link", "set", link, "up");
            }
            host(hostA, KernelStpPeer.HOST_A, 1);
            host(hostB, KernelStpPeer.HOST_B, 2);
            host(hostK, 0x0200_0000_0A03L, 3);

            String timers = "hello-time = 1s, max-age = 6s, forward-delay = 4s";
            try (TestDaemon swA = TestDaemon.start(Files.createDirectory(dir.resolve("a")), "br0 { stp { mode = rstp, "
                    + timers + " }, ports { " + ab + ".stp.edge = false, " + ak + ".stp.edge = false, " + ha + " {} } }", null);
                 TestDaemon swB = TestDaemon.start(Files.createDirectory(dir.resolve("b")), "br0 { stp { mode = rstp, "
                    + timers + " }, ports { " + ba + ".stp.edge = false, " + bk + ".stp.edge = false, " + hb + " {} } }", null)) {
                try {
                    Await.until(CONVERGED, "five of the triangle's six ports forwarding and one alternate or blocking, the kernel's host port forwarding",
                            () -> cut(swA, ab, ak) + cut(swB, ba, bk) + kernelCut(kernel) == 1
                                    && forwarding(swA, ab, ak) + forwarding(swB, ba, bk) + kernelForwarding(kernel) == 5
                                    && kernel.exec("cat", "/sys/class/net/kbr/brif/lh/state").trim().equals(FORWARDING));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; now A " + swA.switchctl("stp", "show", "-j").out()
                            + " B " + swB.switchctl("stp", "show", "-j").out() + " kernel la lb " + kernelStates(kernel) + " (3 forwarding, 4 blocking)", e);
                }

                try (RawSocket a = RawSocket.open(hostA, "eth0"); RawSocket b = RawSocket.open(hostB, "eth0");
                     RawSocket k = RawSocket.open(hostK, "eth0")) {
                    try {
                        assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, b), "copies of one broadcast at the host behind B");
                        assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, k), "copies of one broadcast at the host behind the kernel");
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "; A " + swA.switchctl("stp", "show").out()
                                + swA.switchctl("stats").out() + " B " + swB.switchctl("stp", "show").out()
                                + swB.switchctl("stats").out() + " kernel " + kernelStates(kernel), e);
                    }
                }
                Netns[] hosts = {hostA, hostB, hostK};
                for (int from = 0; from < hosts.length; from++) {
                    for (int to = 0; to < hosts.length; to++) {
                        if (from != to) {
                            Netns src = hosts[from];
                            String dst = NET + (to + 1);
                            try {
                                Await.until(WAIT, src.name() + " reaches " + dst,
                                        () -> src.execStatus("ping", "-c", "1", "-W", "1", dst) == 0);
                            } catch (AssertionError e) {
                                throw new AssertionError(e.getMessage() + "; A " + swA.switchctl("stp", "show").out()
                                        + swA.switchctl("fdb", "show").out() + swA.switchctl("stats").out()
                                        + " B " + swB.switchctl("stp", "show").out() + swB.switchctl("fdb", "show").out()
                                        + swB.switchctl("stats").out() 
                                        + " kernel " + kernel.exec("bridge", "fdb", "show", "br", "kbr") + kernelStates(kernel), e);
                            }
                        }
                    }
                }
            }
        } finally {
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String link : new String[] {ab, ak, bk, ha, hb}) {
                Netns.status("ip", "link", "del", link);
            }
        }
    }

    private static Netns made(List<Netns> namespaces, Netns ns) {
        namespaces.add(ns);
        return ns;
    }

    /** Of switchd's two triangle ports, how many forward. */
    private static int forwarding(TestDaemon d, String... ports) {
        int n = 0;
        for (String p : ports) {
            n += d.stpState("br0", p).equals("forwarding") ? 1 : 0;
        }
        return n;
    }

    /** Of switchd's two triangle ports, how many the tree cut: alternate and discarding. */
    private static int cut(TestDaemon d, String... ports) {
        JsonNode tree = d.stpTree("br0");
        int n = 0;
        for (JsonNode p : tree.get("ports")) {
            if (List.of(ports).contains(p.get("name").asText()) && p.get("role").asText().equals("alternate")
                    && p.get("state").asText().equals("discarding")) {
                n++;
            }
        }
        return n;
    }

    private static int kernelForwarding(Netns kernel) {
        return count(kernel, FORWARDING);
    }

    private static int kernelCut(Netns kernel) {
        return count(kernel, BLOCKING);
    }

    private static String kernelStates(Netns kernel) {
        return kernel.exec("cat", "/sys/class/net/kbr/brif/la/state", "/sys/class/net/kbr/brif/lb/state").trim();
    }

    private static int count(Netns kernel, String state) {
        int n = 0;
        for (String s : kernelStates(kernel).split("\\s+")) {
            n += s.equals(state) ? 1 : 0;
        }
        return n;
    }

    private static void host(Netns ns, long mac, int address) {
        ns.exec("ip", "addr", "add", NET + address + "/24", "dev", "eth0");
        KernelStpPeer.host(ns, mac);
    }
}

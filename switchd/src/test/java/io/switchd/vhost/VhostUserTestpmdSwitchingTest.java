package io.switchd.vhost;

import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import io.switchd.testing.Testpmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DPDK's testpmd on vhost-user ports of a running switchd, switched like any other port: with a
 * host on a TAP port and one on a veth (learning and flooding, frames counted both ways), as an
 * access port of a VLAN a trunk host reaches (the tag taken off towards testpmd, put on towards the
 * trunk), and two testpmds talking to each other. testpmd busy-polls: at most two run at once and
 * only for as long as a test needs them.
 */
class VhostUserTestpmdSwitchingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long TAP_HOST = 0x0200_00e3_0001L;
    private static final long VETH_HOST = 0x0200_00e3_0002L;
    private static final long GUEST = 0x0200_00e3_0010L;
    private static final long GUEST2 = 0x0200_00e3_0020L;

    @TempDir
    Path dir;
    private String tag;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void tag() {
        Netns.assumeAvailable("needs root and DPDK's testpmd", Testpmd.BINARY.toString());
        tag = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
    }

    @AfterEach
    void cleanUp() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                // go on: each piece is the test's own
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        cleanup.add(c);
        return c;
    }

    @Test
    void aTapHostAndAVethHostReachTestpmdAndItReachesThem() throws Exception {
        String tap = "zt" + tag;
        String veth = "zv" + tag;
        Path socket = dir.resolve("vm1.sock");
        Netns tapNs = closing(Netns.create("vt" + tag));
        Netns vethNs = closing(Netns.create("vv" + tag));
        vethHost(vethNs, veth, VETH_HOST);
        TestDaemon d = closing(TestDaemon.start(dir, "br0 { ports { " + tap + " { type = tap }, " + veth + " {}, vm1 { type = vhost-user, socket = \""
                + socket + "\" } } }", null));
        // switchd made the TAP interface; the host owns it in its namespace
        Netns.run("ip", "link", "set", tap, "netns", tapNs.name());
        quiet(tapNs);
        tapNs.exec("ip", "link", "set", tap, "address", MacAddress.format(TAP_HOST), "up");
        RawSocket tapHost = closing(RawSocket.openForTestAndIpv4Frames(tapNs, tap));
        RawSocket vethHost = closing(RawSocket.openForTestAndIpv4Frames(vethNs, "eth0"));
        Testpmd pmd = closing(Testpmd.start(dir, socket, MacAddress.format(GUEST), false));
        pmd.awaitPrompt(WAIT);
        awaitUp(d, "vm1");

        // both hosts -> testpmd, whose address switchd does not know yet: flooded, to the other host too
        pmd.command("set fwd rxonly");
        pmd.command("start");
        long before = rx(pmd);
        List<Long> fromTap = send(tapHost, GUEST, TAP_HOST, 50);
        List<Long> fromVeth = send(vethHost, GUEST, VETH_HOST, 50);
        Await.until(WAIT, () -> "100 frames at testpmd; " + pmd.tail(), () -> rx(pmd) - before >= 100);
        awaitTokens(vethHost, fromTap);
        awaitTokens(tapHost, fromVeth);
        pmd.command("stop");

        // testpmd -> each host in turn: its frames arrive, and switchd learns where testpmd is
        for (Object[] peer : new Object[][] {{TAP_HOST, tapHost}, {VETH_HOST, vethHost}}) {
            long mac = (Long) peer[0];
            RawSocket host = (RawSocket) peer[1];
            pmd.command("set eth-peer 0 " + MacAddress.format(mac));
            pmd.command("set fwd txonly");
            pmd.command("start");
            awaitFrames(host, 50, f -> source(f) == GUEST && destination(f) == mac, "from testpmd at " + MacAddress.format(mac));
            pmd.command("stop");
        }
        String fdb = d.switchctl("fdb", "show", "br0").out();
        assertTrue(fdb.lines().anyMatch(l -> l.contains(MacAddress.format(GUEST)) && l.contains("vm1")), fdb);
        drain(tapHost);
        drain(vethHost);

        // host -> testpmd again: unicast now, so the other host sees none of it
        pmd.command("set fwd rxonly");
        pmd.command("start");
        long before2 = rx(pmd);
        List<Long> unicast = send(vethHost, GUEST, VETH_HOST, 50);
        Await.until(WAIT, () -> "50 more frames at testpmd; " + pmd.tail(), () -> rx(pmd) - before2 >= 50);
        pmd.command("stop");
        assertTrue(noneOf(tapHost, unicast), "a learned address is not flooded");
    }

    @Test
    void testpmdOnAnAccessPortTalksToATrunkHostInItsVlan() throws Exception {
        String trunk = "zk" + tag;
        Path socket = dir.resolve("vm1.sock");
        Netns ns = closing(Netns.create("vk" + tag));
        vethHost(ns, trunk, VETH_HOST);
        TestDaemon d = closing(TestDaemon.start(dir, "br0 { ports { " + trunk + " { vlan-mode = trunk, vlans = [10, 20] }, "
                + "vm1 { type = vhost-user, socket = \"" + socket + "\", vlan-mode = access, vlan = 10 } } }", null));
        RawSocket host = closing(RawSocket.openForTestAndIpv4Frames(ns, "eth0"));
        Testpmd pmd = closing(Testpmd.start(dir, socket, MacAddress.format(GUEST), false));
        pmd.awaitPrompt(WAIT);
        awaitUp(d, "vm1");

        // trunk -> testpmd: VLAN 10's frames arrive untagged (verbose prints each one's outer type), VLAN 20's not at all
        pmd.command("set verbose 1");
        pmd.command("set fwd rxonly");
        pmd.command("start");
        long before = rx(pmd);
        int printed = pmd.output().length();
        for (int i = 0; i < 20; i++) {
            host.send(Frames.tagged(GUEST, VETH_HOST, 20, Frames.token()));
        }
        for (int i = 0; i < 50; i++) {
            host.send(Frames.tagged(GUEST, VETH_HOST, 10, Frames.token()));
        }
        Await.until(WAIT, () -> "50 frames at testpmd; " + pmd.tail(), () -> rx(pmd) - before >= 50);
        pmd.command("stop");
        pmd.command("set verbose 0");
        assertEquals(50, rx(pmd) - before, "VLAN 10's frames, and none of VLAN 20's");
        String seen = pmd.output().substring(printed);
        assertTrue(seen.contains("type=0x88b5"), "testpmd printed the frames: " + pmd.tail());
        assertFalse(seen.contains("type=0x8100"), "no frame reached testpmd tagged: " + pmd.tail());

        // testpmd -> trunk: its untagged frames leave the trunk tagged with VLAN 10
        pmd.command("set eth-peer 0 " + MacAddress.format(VETH_HOST));
        pmd.command("set fwd txonly");
        pmd.command("start");
        awaitFrames(host, 50, f -> source(f) == GUEST && Frames.vlanOf(f) == 10, "tagged 10 from testpmd at the trunk host");
        pmd.command("stop");
        drain(host);
    }

    @Test
    void twoTestpmdsOnTwoVhostUserPortsExchangeFrames() throws Exception {
        Path socket1 = dir.resolve("vm1.sock");
        Path socket2 = dir.resolve("vm2.sock");
        TestDaemon d = closing(TestDaemon.start(dir, "br0 { ports { vm1 { type = vhost-user, socket = \"" + socket1
                + "\" }, vm2 { type = vhost-user, socket = \"" + socket2 + "\" } } }", null));
        Testpmd one = closing(Testpmd.start(dir, socket1, MacAddress.format(GUEST), false));
        Testpmd two = closing(Testpmd.start(dir, socket2, MacAddress.format(GUEST2), false));
        one.awaitPrompt(WAIT);
        two.awaitPrompt(WAIT);
        awaitUp(d, "vm1");
        awaitUp(d, "vm2");
        for (Testpmd[] pair : new Testpmd[][] {{one, two}, {two, one}}) {
            Testpmd sender = pair[0];
            Testpmd receiver = pair[1];
            long peer = receiver == two ? GUEST2 : GUEST;
            receiver.command("set fwd rxonly");
            receiver.command("start");
            long before = rx(receiver);
            long sentBefore = stats(sender)[1];
            sender.command("set eth-peer 0 " + MacAddress.format(peer));
            sender.command("set fwd txonly");
            sender.command("start");
            Await.until(WAIT, () -> "1000 frames from one testpmd at the other; " + receiver.tail(),
                    () -> rx(receiver) - before >= 1000);
            sender.command("stop");
            receiver.command("stop");
            assertTrue(stats(sender)[1] - sentBefore >= rx(receiver) - before, "the receiver got no more than was sent");
        }
    }

    private static void vethHost(Netns ns, String link, long mac) {
        Netns.run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        Netns.run("ip", "link", "set", link, "up");
        quiet(ns);
        ns.exec("ip", "link", "set", "eth0", "address", MacAddress.format(mac), "up");
    }

    /** No IPv6: the host sends nothing but the test's frames. */
    private static void quiet(Netns ns) {
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
    }

    private static void awaitUp(TestDaemon d, String port) {
        Await.until(WAIT, () -> port + " up; it is " + d.port("br0", port),
                () -> d.port("br0", port).get("state").asText().equals("up"));
    }

    private static List<Long> send(RawSocket from, long dst, long src, int n) {
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = Frames.token();
            tokens.add(t);
            from.send(Frames.frame(dst, src, t));
        }
        return tokens;
    }

    private static void awaitTokens(RawSocket at, List<Long> tokens) {
        List<Long> missing = new ArrayList<>(tokens);
        Await.until(WAIT, () -> missing.size() + " of " + tokens.size() + " flooded frames missing", () -> {
            byte[] f;
            while ((f = at.take()) != null) {
                missing.remove(Frames.tokenOf(f));
            }
            return missing.isEmpty();
        });
    }

    private static boolean noneOf(RawSocket at, List<Long> tokens) {
        byte[] f;
        while ((f = at.take()) != null) { // take waits 100 ms for each: the last frame has had time to come
            if (tokens.contains(Frames.tokenOf(f))) {
                return false;
            }
        }
        return true;
    }

    private static void awaitFrames(RawSocket at, int n, Predicate<byte[]> which, String what) {
        int[] seen = {0};
        Await.until(WAIT, () -> seen[0] + " of " + n + " frames " + what, () -> {
            byte[] f;
            while (seen[0] < n && (f = at.take()) != null) {
                if (which.test(f)) {
                    seen[0]++;
                }
            }
            return seen[0] >= n;
        });
    }

    /** Reads what testpmd's last burst left in the socket's buffer, so later checks see only their own frames. */
    private static void drain(RawSocket at) {
        while (at.take() != null) {
            // discard
        }
    }

    private static long rx(Testpmd pmd) {
        return stats(pmd)[0];
    }

    private static long[] stats(Testpmd pmd) {
        try {
            return pmd.portStats(WAIT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long source(byte[] f) {
        return mac(f, 6);
    }

    private static long destination(byte[] f) {
        return mac(f, 0);
    }

    private static long mac(byte[] f, int at) {
        long mac = 0;
        for (int i = at; i < at + 6; i++) {
            mac = mac << 8 | (f[i] & 0xFF);
        }
        return mac;
    }
}

package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.switchd.testing.KernelStpPeer.CONVERGED;
import static io.switchd.testing.KernelStpPeer.FORWARDING;
import static io.switchd.testing.KernelStpPeer.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchd's port protections against a kernel bridge running STP with a lower priority (the
 * root): an edge port forwards at once and stops being edge on a BPDU, BPDU guard takes a port
 * that hears BPDUs out of forwarding, root guard keeps the port facing the superior bridge from
 * becoming root port, and a topology change flushes learned addresses.
 */
class StpGuardsTest {
    private static final String TIMERS = "hello-time = 1s, max-age = 6s, forward-delay = 4s";

    @Test
    void edgeForwardsAtOnceBpduGuardTakesAPortOutAndRootGuardKeepsAPortFromBeingRootPort(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        try (KernelStpPeer peer = KernelStpPeer.create("sg", "priority", "4096");
             TestDaemon daemon = TestDaemon.start(dir, "br0 { stp { mode = rstp, " + TIMERS + " }, ports { "
                     + peer.link1 + ".stp { edge = false, root-guard = true }, "
                     + peer.link2 + ".stp { edge = false, bpdu-guard = true }, " + peer.toHost + " {} } }", null)) {
            String host = peer.toHost;
            Await.until(WAIT, host + " forwarding", () -> daemon.stpState("br0", host).equals("forwarding"));
            assertTrue(daemon.stpPort("br0", host).get("edge").asBoolean(), "the host's port is edge");
            assertNotEquals(FORWARDING + " " + FORWARDING, peer.states(),
                    "the host's port forwards before the kernel's ports are through listening and learning");

            // BPDU guard: the kernel's BPDUs on link2 take it out of the tree
            Await.until(WAIT, peer.link2 + " taken out by BPDU guard",
                    () -> daemon.stpPort("br0", peer.link2).get("role").asText().equals("disabled"));
            assertEquals("discarding", daemon.stpPort("br0", peer.link2).get("state").asText());
            assertEquals("discarding", portListed(daemon, peer.link2).get("stp_state").asText(),
                    "port list shows it discarding: " + portListed(daemon, peer.link2));

            // root guard: the kernel's superior BPDUs on link1 keep it alternate, switchd its own root
            Await.until(CONVERGED, "the kernel forwarding on both links, its own root",
                    () -> peer.states().equals(FORWARDING + " " + FORWARDING));
            JsonNode link1 = daemon.stpPort("br0", peer.link1);
            assertEquals("alternate", link1.get("role").asText(), link1.toString());
            assertEquals("discarding", link1.get("state").asText(), link1.toString());
            assertFalse(peer.link1.equals(daemon.stpTree("br0").path("root_port").asText()), "root guard: " + daemon.stpTree("br0"));
            assertEquals("discarding", daemon.stpState("br0", peer.link2), "BPDU guard holds");
            // without root guard the same port becomes root port: it was the guard that kept it
            assertEquals(0, daemon.switchctl("port", "set", "br0", peer.link1, "root-guard", "off").status());
            Await.until(WAIT, peer.link1 + " root port once root guard is off",
                    () -> peer.link1.equals(daemon.stpTree("br0").path("root_port").asText()));

            // edge = auto: the first BPDU heard makes the host's port an ordinary one
            try (RawSocket b = RawSocket.open(peer.behindSwitchd, "eth0")) {
                b.send(configBpdu(KernelStpPeer.HOST_B));
                Await.until(WAIT, host + " no longer edge after a BPDU",
                        () -> !daemon.stpPort("br0", host).get("edge").asBoolean());
            }
        }
    }

    @Test
    void aTopologyChangeFlushesAHostThatNowSitsBehindTheOtherLink(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        // switchd is root: both its links forward, the kernel blocks l2, and host A is learned behind link1
        try (KernelStpPeer peer = KernelStpPeer.create("sf");
             TestDaemon daemon = TestDaemon.start(dir, "br0 { stp { mode = rstp, priority = 4096, " + TIMERS + " }, ports { "
                     + peer.link1 + ".stp.edge = false, " + peer.link2 + ".stp.edge = false, " + peer.toHost + " {} } }", null)) {
            Await.until(CONVERGED, "switchd forwarding on both links, the kernel on l1 and blocking l2",
                    () -> peer.states().equals(FORWARDING + " " + KernelStpPeer.BLOCKING)
                            && daemon.stpState("br0", peer.link1).equals("forwarding")
                            && daemon.stpState("br0", peer.link2).equals("forwarding"));
            try (RawSocket a = RawSocket.open(peer.behindKernel, "eth0");
                 RawSocket b = RawSocket.open(peer.behindSwitchd, "eth0")) {
                assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, b));
                String fdb = daemon.switchctl("fdb", "show", "br0", "--mac", MacAddress.format(KernelStpPeer.HOST_A)).out();
                assertTrue(fdb.contains(peer.link1), "host A learned behind " + peer.link1 + ": " + fdb);

                // the kernel drops l1 from its bridge: link1 stays up and forwarding on switchd's
                // side, and host A, silent, sits behind link2 once the kernel forwards on l2; only
                // the topology change the kernel reports there can tell switchd so
                peer.kernel.exec("ip", "link", "set", "l1", "nomaster");
                Await.until(CONVERGED, "the kernel forwarding on l2", () -> peer.kernel
                        .exec("cat", "/sys/class/net/kbr/brif/l2/state").trim().equals(FORWARDING));
                assertEquals("forwarding", daemon.stpState("br0", peer.link1));
                long token = Frames.token();
                b.send(Frames.frame(KernelStpPeer.HOST_A, KernelStpPeer.HOST_B, token));
                Await.until(WAIT, "a unicast to host A arriving over " + peer.link2, () -> {
                    byte[] f = a.take();
                    return f != null && Frames.tokenOf(f) == token;
                });
            }
        }
    }

    /** The port as `port list -j` shows it. */
    private static JsonNode portListed(TestDaemon daemon, String port) {
        TestDaemon.CliResult r = daemon.switchctl("port", "list", "br0", "-j");
        try {
            for (JsonNode p : Json.mapper().readTree(r.out())) {
                if (p.get("name").asText().equals(port)) {
                    return p;
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("port list: " + r.out(), e);
        }
        throw new AssertionError("no port " + port + " in " + r.out());
    }

    /** An 802.1D configuration BPDU from a bridge of priority 32768 and {@code mac}, root itself. */
    private static byte[] configBpdu(long mac) {
        ByteBuffer f = ByteBuffer.allocate(Bpdu.MIN_FRAME_LENGTH);
        f.putShort((short) (Bpdu.GROUP_ADDRESS >>> 32)).putInt((int) Bpdu.GROUP_ADDRESS);
        f.putShort((short) (mac >>> 32)).putInt((int) mac).putShort((short) 38);
        f.put((byte) 0x42).put((byte) 0x42).put((byte) 0x03);
        f.putShort((short) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        long bridge = 0x8000_0000_0000_0000L | mac;
        f.putLong(bridge).putInt(0).putLong(bridge).putShort((short) 0x8001);
        f.putShort((short) 0).putShort((short) (6 * 256)).putShort((short) 256).putShort((short) (4 * 256));
        return f.array();
    }
}

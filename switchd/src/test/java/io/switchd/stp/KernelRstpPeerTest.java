package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.switchd.testing.KernelStpPeer.CONVERGED;
import static io.switchd.testing.KernelStpPeer.FORWARDING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchd running RSTP and a kernel bridge running 802.1D STP, joined by two veth links: the two
 * agree on the root (the kernel bridge, by its lower priority), one of the four ports blocks,
 * a broadcast crosses once, and when the forwarding link goes down traffic crosses on the other
 * within 802.1D's timers. switchd's ports fall back to STP on hearing the kernel's BPDUs.
 */
class KernelRstpPeerTest {

    @Test
    void switchdAndAKernelBridgeAgreeOnTheRootBlockOneLinkAndFailOverToTheOther(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        try (KernelStpPeer peer = KernelStpPeer.create("sr", "priority", "4096");
             TestDaemon daemon = TestDaemon.start(dir, "br0 { stp { mode = rstp, hello-time = 1s, max-age = 6s,"
                     + " forward-delay = 4s }, ports { " + peer.link1 + " { stp.edge = false }, " + peer.link2
                     + " { stp.edge = false }, " + peer.toHost + " {} } }", null)) {
            String link1 = peer.link1;
            String link2 = peer.link2;
            String ports = link1 + ", " + link2 + " (switchd) and l1, l2 (kernel)";
            try {
                Await.until(CONVERGED, "exactly one of " + ports + " blocking",
                        () -> kernelForwarding(peer) + switchdForwarding(daemon, link1, link2) == 3);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; now kernel l1 l2 " + peer.states()
                        + " (3 forwarding, 4 blocking); switchd " + daemon.switchctl("stp", "show", "-j").out(), e);
            }
            JsonNode tree = daemon.stpTree("br0");
            assertEquals("rstp", tree.get("mode").asText(), tree.toString());
            String kernelRoot = peer.bridgeFile("root_id");
            assertEquals(peer.bridgeFile("bridge_id"), kernelRoot, "the kernel bridge, priority 4096, is root in its own view");
            assertEquals(BridgeId.format(BridgeId.parse(kernelRoot)), tree.get("root_id").asText(),
                    "the root in switchd's view: " + tree);
            assertEquals(link1, tree.get("root_port").asText(), tree.toString());
            String lowest = java.util.stream.Stream.of(link1, link2, peer.toHost)
                    .map(n -> Netns.run("cat", "/sys/class/net/" + n + "/address").trim().replace(":", ""))
                    .sorted().findFirst().orElseThrow();
            assertEquals("8000." + lowest, tree.get("bridge_id").asText(),
                    "switchd's bridge address is its lowest port address, as the kernel bridge's is");
            assertEquals(2000, tree.get("ports").get(0).get("cost").asLong(),
                    "cost auto: a veth's 10 Gb/s, by 802.1D-2004's table: " + tree);
            assertEquals("discarding", daemon.stpState("br0", link2),
                    "the alternate port: the same root cost on both links, the lower port id wins");

            String metrics = daemon.client().text("/metrics");
            assertEquals(1.0, PrometheusText.value(metrics, "switchd_stp_root_changes_total{bridge=\"br0\"}"),
                    "switchd followed itself, then the kernel bridge");
            assertTrue(PrometheusText.value(metrics, "switchd_stp_topology_changes_total{bridge=\"br0\"}") >= 1,
                    "a port going forwarding is a topology change");
            assertTrue(PrometheusText.value(metrics, "switchd_stp_bpdus_total{bridge=\"br0\",direction=\"rx\",port=\""
                    + link1 + "\"}") > 0, "the kernel's BPDUs counted");
            assertTrue(PrometheusText.value(metrics, "switchd_stp_bpdus_total{bridge=\"br0\",direction=\"tx\",port=\""
                    + peer.toHost + "\"}") > 0, "switchd's BPDUs out of its designated port counted");
            assertEquals(1.0, PrometheusText.value(metrics, "switchd_stp_port_state{bridge=\"br0\",port=\"" + link2
                    + "\",state=\"discarding\"}"));

            try (RawSocket a = RawSocket.open(peer.behindKernel, "eth0");
                 RawSocket b = RawSocket.open(peer.behindSwitchd, "eth0")) {
                assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, b), "copies of one broadcast at the host behind switchd");

                // a host sending garbage to the bridge group: counted, ignored, not flooded to the kernel
                String ignored = "switchd_stp_bpdus_ignored_total{bridge=\"br0\",reason=\"bad-llc\"}";
                double before = PrometheusText.value(daemon.client().text("/metrics"), ignored);
                b.send(Frames.frame(Bpdu.GROUP_ADDRESS, KernelStpPeer.HOST_B, Frames.token()));
                Await.until(KernelStpPeer.WAIT, "the bad BPDU counted", () -> {
                    try {
                        return PrometheusText.value(daemon.client().text("/metrics"), ignored) == before + 1;
                    } catch (java.io.IOException | io.switchd.api.client.ApiException e) {
                        throw new AssertionError(e);
                    }
                });

                Netns.run("ip", "link", "set", link1, "down");
                Await.until(CONVERGED, "a broadcast crossing on " + link2 + " after " + link1 + " went down", () -> KernelStpPeer.broadcastCrosses(a, b));
                assertEquals("forwarding", daemon.stpState("br0", link2));
                assertEquals(link2, daemon.stpTree("br0").get("root_port").asText(), link2 + " is root port now");
            }
        }
    }

    private static int kernelForwarding(KernelStpPeer peer) {
        String[] states = peer.states().split(" ");
        return (states[0].equals(FORWARDING) ? 1 : 0) + (states[1].equals(FORWARDING) ? 1 : 0);
    }

    private static int switchdForwarding(TestDaemon d, String link1, String link2) {
        return (d.stpState("br0", link1).equals("forwarding") ? 1 : 0) + (d.stpState("br0", link2).equals("forwarding") ? 1 : 0);
    }
}

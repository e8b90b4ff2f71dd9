package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.testing.Await;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.LogRecords;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import static io.switchd.testing.KernelStpPeer.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BPDU guard against a kernel bridge running STP, whose BPDUs arrive on a guarded port: the port
 * goes down with the reason bpdu-guard, stays so when its link goes down and up, drops what it
 * receives as port-down, and comes back only when the operator sets it up.
 */
class BpduGuardTest {

    @Test
    void aBpduTakesAGuardedPortDownUntilTheOperatorSetsItUp(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        try (LogRecords log = LogRecords.capture();
             KernelStpPeer peer = KernelStpPeer.create("sg", "priority", "4096");
             TestDaemon daemon = TestDaemon.start(dir, "br0 { stp { mode = rstp, hello-time = 1s, max-age = 6s,"
                     + " forward-delay = 4s }, ports { " + peer.link1 + " { stp.bpdu-guard = true }, "
                     + peer.toHost + " {} } }", null)) {
            String guarded = peer.link1;
            Await.until(WAIT, guarded + " down with the reason bpdu-guard in port list -j",
                    () -> shows(daemon, guarded, "down", "bpdu-guard"));
            String sender = BridgeId.format(BridgeId.parse(peer.bridgeFile("bridge_id")));
            List<String> warned = log.at(Level.WARNING, "port " + guarded + " heard a BPDU from bridge " + sender);
            assertEquals(1, warned.size(), "one warning naming the port and the kernel bridge: " + log.at(Level.WARNING));
            assertTrue(daemon.switchctl("port", "list").out().lines()
                    .anyMatch(l -> l.matches("br0 +" + guarded + " +netdev +down +bpdu-guard +1500 .*")),
                    daemon.switchctl("port", "list").out());

            Netns.run("ip", "link", "set", guarded, "down");
            Netns.run("ip", "link", "set", guarded, "up");
            // the kernel's BPDUs arrive again and are dropped before the tree sees them
            double dropped = portDownDrops(daemon, guarded);
            Await.until(WAIT, "the kernel's BPDUs dropped as port-down after the flap",
                    () -> portDownDrops(daemon, guarded) > dropped);
            assertTrue(shows(daemon, guarded, "down", "bpdu-guard"), daemon.port("br0", guarded).toString());
            assertEquals(1, log.at(Level.WARNING, "heard a BPDU").size(), "the guard trips once: " + log.at(Level.WARNING));

            assertEquals(0, daemon.switchctl("port", "set", "br0", guarded, "bpdu-guard", "off").status());
            assertTrue(shows(daemon, guarded, "down", "bpdu-guard"), "turning the guard off does not bring the port back");
            TestDaemon.CliResult up = daemon.switchctl("port", "set", "br0", guarded, "up");
            assertEquals(0, up.status(), up.err());
            Await.until(WAIT, guarded + " up again, without a reason", () -> shows(daemon, guarded, "up", null));
            Await.until(WAIT, guarded + " back in the tree", () -> {
                for (JsonNode p : daemon.stpTree("br0").get("ports")) {
                    if (p.get("name").asText().equals(guarded)) {
                        return !p.get("role").asText().equals("disabled");
                    }
                }
                return false;
            });
        }
    }

    /** Whether {@code port list -j} shows the port in {@code state} for {@code reason} (null: none). */
    private static boolean shows(TestDaemon daemon, String port, String state, String reason) {
        try {
            for (JsonNode p : Json.mapper().readTree(daemon.switchctl("port", "list", "br0", "-j").out())) {
                if (p.get("name").asText().equals(port)) {
                    JsonNode r = p.get("reason");
                    return p.get("state").asText().equals(state)
                            && (reason == null ? r.isNull() : r.asText().equals(reason));
                }
            }
            return false;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static double portDownDrops(TestDaemon daemon, String port) {
        try {
            double n = PrometheusText.value(daemon.client().text("/metrics"), "switchd_port_dropped_frames_total{bridge=\"br0\","
                    + "direction=\"rx\",port=\"" + port + "\",reason=\"port-down\"}");
            return Double.isNaN(n) ? 0 : n;
        } catch (java.io.IOException | io.switchd.api.client.ApiException e) {
            throw new AssertionError(e);
        }
    }
}

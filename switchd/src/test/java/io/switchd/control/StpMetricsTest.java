package io.switchd.control;

import io.switchd.testing.Await;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The spanning tree's series: each port's state (forwarding on a bridge without a tree), BPDUs
 * each way and each bridge's topology and root changes. Ports are absent (no privileges needed);
 * KernelRstpPeerTest sees the counters move.
 */
class StpMetricsTest {
    private final String port = "zm" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    private final String other = "zn" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);

    @Test
    void everyPortHasItsStpStateAndEveryBridgeItsChanges(@TempDir Path dir) throws Exception {
        try (TestDaemon d = TestDaemon.start(dir, "br0 { stp.mode = rstp, ports." + port + " {} }, br1.ports."
                + other + " {}", null)) {
            String text = d.client().text("/metrics");
            PrometheusText.validate(text);
            String br0 = "{bridge=\"br0\",port=\"" + port + "\",state=\"";
            assertEquals(1.0, PrometheusText.value(text, "switchd_stp_port_state" + br0 + "discarding\"}"), text);
            assertEquals(0.0, PrometheusText.value(text, "switchd_stp_port_state" + br0 + "forwarding\"}"));
            assertEquals(1.0, PrometheusText.value(text, "switchd_stp_port_state{bridge=\"br1\",port=\"" + other
                    + "\",state=\"forwarding\"}"), "a bridge without a tree forwards");
            for (String direction : new String[] {"rx", "tx"}) {
                assertEquals(0.0, PrometheusText.value(text, "switchd_stp_bpdus_total{bridge=\"br0\",direction=\""
                        + direction + "\",port=\"" + port + "\"}"), text);
            }
            Await.until(Duration.ofSeconds(10), "br0's tree running", () -> {
                try {
                    return d.switchctl("stp", "show", "br0", "-j").out().contains("\"rstp\"");
                } catch (RuntimeException e) {
                    return false;
                }
            });
            text = d.client().text("/metrics");
            for (String bridge : new String[] {"br0", "br1"}) {
                assertEquals(0.0, PrometheusText.value(text, "switchd_stp_topology_changes_total{bridge=\"" + bridge
                        + "\"}"), text);
                assertEquals(0.0, PrometheusText.value(text, "switchd_stp_root_changes_total{bridge=\"" + bridge
                        + "\"}"), text);
            }
        }
    }
}

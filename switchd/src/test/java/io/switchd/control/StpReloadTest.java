package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A reload and the spanning trees: one that leaves a bridge's STP settings alone leaves its tree
 * running (the same bridge id: with no interface address to take, a tree's address is random,
 * and a tree started again would pick a new one), one that changes
 * them changes the running tree, and trees stop and start with their mode. Ports are absent (their
 * interfaces never exist), which needs no privileges.
 */
class StpReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final String port = "zr" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    private final String other = "zq" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);

    private String bridges(String br0Extra, String br0Stp, String portStp, String br1Stp) {
        return "br0 { " + br0Extra + " stp { " + br0Stp + " }, ports." + port + ".stp { " + portStp + " } }, "
                + "br1 { stp { " + br1Stp + " }, ports." + other + " {} }";
    }

    private static void reload(TestDaemon d, String bridges) throws Exception {
        d.rewriteConfig(bridges);
        TestDaemon.CliResult r = d.switchctl("reload");
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void aReloadChangesTheRunningTreeOnlyWhereItsSettingsChanged(@TempDir Path dir) throws Exception {
        try (TestDaemon d = TestDaemon.start(dir, bridges("", "mode = rstp, priority = 4096", "cost = 100",
                "mode = off"), null)) {
            Await.until(WAIT, "br0's tree with its port", () -> d.stpTree("br0").get("ports").size() == 1);
            String id = d.stpTree("br0").get("bridge_id").asText();

            reload(d, bridges("ageing-time = 60s,", "mode = rstp, priority = 4096", "cost = 100", "mode = off"));
            assertEquals(id, d.stpTree("br0").get("bridge_id").asText(), "the tree was started again");

            reload(d, bridges("ageing-time = 60s,", "mode = rstp, priority = 8192", "cost = 500", "mode = off"));
            Await.until(WAIT, "the new priority and cost", () -> {
                JsonNode t = d.stpTree("br0");
                return t.get("bridge_id").asText().equals("2000" + id.substring(4))
                        && t.get("ports").get(0).get("cost").asLong() == 500;
            });

            reload(d, bridges("", "mode = off", "cost = 500", "mode = stp"));
            Await.until(WAIT, "br0's tree stopped and br1's started", () -> d.stpTree("br0").get("mode").asText().equals("off")
                    && d.stpTree("br1").get("mode").asText().equals("stp"));
            assertEquals("forwarding", d.stpState("br0", port), "a bridge without a tree forwards on every port");
            assertEquals("discarding", d.stpState("br1", other), "a port the new tree has not placed yet");
        }
    }
}

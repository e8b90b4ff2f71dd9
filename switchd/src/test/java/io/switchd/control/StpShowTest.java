package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.testing.Await;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `switchctl stp show` and `port list -j`'s stp_state, over the API, on bridges whose ports'
 * interfaces never exist (absent ports need no privileges): a tree alone is its own root, and a
 * bridge without one says so.
 */
class StpShowTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final String port = "zs" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    private final String other = "zt" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);

    private TestDaemon start(Path dir) throws Exception {
        return TestDaemon.start(dir, "br0 { stp { mode = rstp, priority = 4096 }, ports { " + port
                + " { stp { cost = 2000, priority = 64, edge = false } } } }, br1.ports." + other + " {}", null);
    }

    private static JsonNode json(TestDaemon.CliResult r) throws Exception {
        assertEquals(0, r.status(), r.err());
        return Json.mapper().readTree(r.out());
    }

    @Test
    void showsEachBridgesTreeAsJsonAndAsText(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            Await.until(WAIT, "br0's tree with its port", () -> {
                try {
                    return json(daemon.switchctl("stp", "show", "br0", "-j")).get(0).get("ports").size() == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            JsonNode trees = json(daemon.switchctl("stp", "show", "-j"));
            assertEquals(2, trees.size(), trees.toString());
            JsonNode br0 = trees.get(0);
            assertEquals("br0", br0.get("bridge").asText());
            assertEquals("rstp", br0.get("mode").asText());
            assertTrue(br0.get("bridge_id").asText().matches("1000\\.[0-9a-f]{12}"), br0.toString());
            assertEquals(br0.get("bridge_id"), br0.get("root_id"), "a bridge alone is its own root");
            assertTrue(br0.get("root_port").isNull(), br0.toString());
            assertEquals(0, br0.get("root_cost").asLong());
            assertEquals(0, br0.get("topology_changes").asLong());
            assertTrue(br0.get("last_topology_change").isNull(), br0.toString());
            JsonNode p = br0.get("ports").get(0);
            assertEquals(port, p.get("name").asText());
            assertEquals("disabled", p.get("role").asText(), "an absent port takes no part");
            assertEquals("discarding", p.get("state").asText());
            assertEquals(false, p.get("edge").asBoolean());
            assertEquals(2000, p.get("cost").asLong());
            assertEquals(64, p.get("priority").asInt());

            JsonNode br1 = trees.get(1);
            assertEquals("off", br1.get("mode").asText());
            assertTrue(br1.get("root_id").isNull() && br1.get("ports").isEmpty(), br1.toString());

            TestDaemon.CliResult text = daemon.switchctl("stp", "show");
            assertEquals(0, text.status(), text.err());
            assertTrue(text.out().contains("---- br0 ----\nMode:      rstp\nRoot ID:   " + br0.get("root_id").asText()
                    + "\n  This bridge is the root\n"), text.out());
            assertTrue(text.out().matches("(?s).*\\n" + port + " +disabled +discarding +no +2000 +64\\n.*"), text.out());
            assertTrue(text.out().contains("---- br1 ----\nSpanning tree off"), text.out());
        }
    }

    @Test
    void portSetChangesAPortsPlaceInTheTreeAndResetTakesTheConfigFilesAgain(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            TestDaemon.CliResult set = daemon.switchctl("port", "set", "br0", port, "stp-cost", "500", "stp-priority",
                    "32", "edge", "on", "bpdu-guard", "on", "root-guard", "on");
            assertEquals(0, set.status(), set.err());
            Await.until(WAIT, "the new cost and priority in the tree", () -> {
                JsonNode p = daemon.stpTree("br0").get("ports").get(0);
                return p.get("cost").asLong() == 500 && p.get("priority").asInt() == 32;
            });
            JsonNode setting = null;
            for (JsonNode s : daemon.port("br0", port).get("settings")) {
                if (s.get("key").asText().equals("stp")) {
                    setting = s;
                }
            }
            assertEquals("cost 500 priority 32 edge true bpdu-guard true root-guard true", setting.get("value").asText());
            assertEquals("api", setting.get("from").asText());

            TestDaemon.CliResult bad = daemon.switchctl("port", "set", "br0", port, "stp-priority", "100");
            assertEquals(1, bad.status());
            assertTrue(bad.err().contains("multiple of 16"), bad.err());
            assertEquals(2, daemon.switchctl("port", "set", "br0", port, "edge", "sometimes").status());

            assertEquals(0, daemon.switchctl("port", "reset", "br0", port).status());
            Await.until(WAIT, "the config file's cost and priority again", () -> {
                JsonNode p = daemon.stpTree("br0").get("ports").get(0);
                return p.get("cost").asLong() == 2000 && p.get("priority").asInt() == 64;
            });
        }
    }

    @Test
    void portListSaysWhyEachPortIsNotUp(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            for (JsonNode p : json(daemon.switchctl("port", "list", "-j"))) {
                assertEquals("absent", p.get("state").asText(), p.toString());
                assertEquals("absent", p.get("reason").asText(), p.toString());
            }
            List<String> table = daemon.switchctl("port", "list").out().lines().toList();
            assertTrue(table.get(0).matches("BRIDGE +PORT +TYPE +STATE +REASON +MTU +VLAN +FLAGS +FROM"), table.get(0));
            String row = table.stream().filter(l -> l.contains(port)).findFirst().orElseThrow();
            assertTrue(row.matches("br0 +" + port + " +netdev +absent +absent +1500 .*"), row);
            assertEquals(table.get(0).indexOf("REASON"), row.indexOf("absent", row.indexOf("absent") + 1),
                    "the reason under its heading: " + table);
        }
    }

    @Test
    void portListShowsEachPortsStpStateAndAnUnknownBridgeIsRefused(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            JsonNode ports = json(daemon.switchctl("port", "list", "-j"));
            for (JsonNode p : ports) {
                String expected = p.get("bridge").asText().equals("br0") ? "discarding" : "forwarding";
                assertEquals(expected, p.get("stp_state").asText(), p.toString());
            }
            assertEquals(2, ports.size());

            TestDaemon.CliResult missing = daemon.switchctl("stp", "show", "nope");
            assertEquals(1, missing.status());
            assertTrue(missing.err().contains("nope"), missing.err());
            assertEquals(405, daemon.client().exchange("POST", "/v1/stp", new byte[0]).status());
        }
    }
}

package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.client.SwitchdClient;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** kill -9 at any moment, then a start: what the API acknowledged is back. */
class CrashRecoveryTest {
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void killNineThenStartGivesBackBridgesPortsAndStaticEntries(@TempDir Path dir) throws Exception {
        if (!Netns.required()) {
            assumeTrue(Netns.available(), "needs root, /dev/net/tun and iproute2");
        }
        String configured = "sw" + id + "k";
        String added = "sw" + id + "m";
        Path config = dir.resolve("switchd.conf");
        Files.writeString(config, "switchd {\n control { socket = \"" + dir.resolve("s.sock") + "\", group = \"\" }\n"
                + " metrics.listen = \"\"\n state-file = \"" + dir.resolve("state.conf") + "\"\n"
                + " bridges.br0.ports { " + configured + " { type = tap } }\n}\n");
        SwitchdClient client = new SwitchdClient(dir.resolve("s.sock"));
        Process p = start(config, dir.resolve("first.log"));
        try {
            awaitServing(client, p);
            client.call("POST", "/v1/bridges", java.util.Map.of("name", "br1"));
            client.call("POST", "/v1/bridges/br1/ports", java.util.Map.of("name", added, "type", "tap"));
            client.call("POST", "/v1/bridges/br1/fdb", java.util.Map.of("mac", "02:00:00:00:00:42", "port", added, "vlan", 7));
            client.call("PATCH", "/v1/bridges/br0/ports/" + configured, java.util.Map.of("admin", "down"));
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            p.waitFor(10, TimeUnit.SECONDS);

            p = start(config, dir.resolve("second.log"));
            awaitServing(client, p);
            JsonNode bridges = client.call("GET", "/v1/bridges", null);
            assertEquals(List.of("br0", "br1"), List.of(bridges.get(0).get("name").asText(), bridges.get(1).get("name").asText()));
            JsonNode port = client.call("GET", "/v1/bridges/br1/ports/" + added, null);
            assertEquals("up", port.get("state").asText(), port.toString());
            assertEquals("admin-down", client.call("GET", "/v1/bridges/br0/ports/" + configured, null).get("state").asText());
            JsonNode fdb = client.call("GET", "/v1/bridges/br1/fdb?vlan=7", null);
            assertEquals(1, fdb.size(), fdb.toString());
            assertEquals("static", fdb.get(0).get("type").asText());
            assertEquals(added, fdb.get(0).get("port").asText());
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            for (String name : new String[] {configured, added}) {
                if (Interfaces.exists(name)) {
                    Netns.status("ip", "link", "del", name);
                }
            }
        }
    }

    private static Process start(Path config, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.switchd.Main",
                "--config", config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitServing(SwitchdClient client, Process p) {
        Await.until(Duration.ofSeconds(30), "the daemon serving its socket", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the daemon exited with " + p.exitValue());
            }
            try {
                return client.exchange("GET", "/v1/health", new byte[0]).status() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }
}

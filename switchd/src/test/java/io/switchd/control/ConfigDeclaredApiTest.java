package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the config file declares, only the config file deletes: the API refuses to delete its
 * bridges, ports and static entries (409, saying what to do instead) and keeps their settings'
 * origin apart, so that a port shows which settings the API overrides, and a reset drops them.
 */
class ConfigDeclaredApiTest {
    /** A netdev port whose interface never exists (random name): absent, but there. */
    private final String port = "zz" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);

    private TestDaemon start(Path dir) throws Exception {
        return TestDaemon.start(dir, "br0 { ports { " + port + " { vlan-mode = access, vlan = 10 } }, "
                + "static-macs = [{ mac = \"02:00:00:00:00:0a\", port = " + port + " }] }", null);
    }

    @Test
    void deletingWhatTheConfigFileDeclaresIsRefusedWithTheWayOut(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            SwitchdClient client = daemon.client();
            Path file = daemon.configFile();
            assertError(client.exchange("DELETE", "/v1/bridges/br0/ports/" + port, new byte[0]), 409,
                    "port br0/" + port + " is declared in the config file (" + file + "); remove it there and "
                            + "reload, or set it down with 'switchctl port set br0 " + port + " down'");
            assertError(client.exchange("DELETE", "/v1/bridges/br0/ports/" + port + "?owner=switchd-ifup",
                    new byte[0]), 409, "port br0/" + port + " is declared in the config file (" + file + ")");
            assertError(client.exchange("DELETE", "/v1/bridges/br0", new byte[0]), 409,
                    "bridge br0 is declared in the config file (" + file + "); remove it there and reload");
            assertError(client.exchange("DELETE", "/v1/bridges/br0/fdb/02:00:00:00:00:0a", new byte[0]), 409,
                    "the static entry 02:00:00:00:00:0a in VLAN 0 of bridge br0 is declared in the config file ("
                            + file + "); remove it there and reload");
            TestDaemon.CliResult del = daemon.switchctl("port", "del", "br0", port);
            assertEquals(1, del.status());
            assertTrue(del.err().contains("is declared in the config file"), del.err());

            JsonNode p = daemon.port("br0", port);
            assertEquals("config", p.path("origin").asText(), p.toString());
            assertEquals(10, p.path("vlan").asInt());
            assertEquals("config", client.call("GET", "/v1/bridges/br0", null).path("origin").asText());
            assertEquals(1, staticEntries(client).size());
        }
    }

    @Test
    void aBridgeAddedThroughTheApiIsDeletedAsBefore(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            SwitchdClient client = daemon.client();
            assertEquals("api", client.call("POST", "/v1/bridges", Map.of("name", "br9")).path("origin").asText());
            assertEquals(204, client.exchange("DELETE", "/v1/bridges/br9", new byte[0]).status());
        }
    }

    @Test
    void flushingStaticEntriesKeepsThoseTheConfigFileDeclares(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            SwitchdClient client = daemon.client();
            client.call("POST", "/v1/bridges/br0/fdb", Map.of("mac", "02:00:00:00:00:0b", "port", port));
            assertEquals(2, staticEntries(client).size());
            JsonNode flushed = client.call("POST", "/v1/bridges/br0/fdb/flush", Map.of("static", true));
            assertEquals(1, flushed.path("removed").asInt(), flushed.toString());
            List<String> left = staticEntries(client).stream().map(e -> e.path("mac").asText()).toList();
            assertEquals(List.of("02:00:00:00:00:0a"), left);
        }
    }

    @Test
    void aPortShowsTheSettingsTheApiOverridesAndAResetDropsThem(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            TestDaemon.CliResult set = daemon.switchctl("port", "set", "br0", port, "vlan", "20", "learning", "off");
            assertEquals(0, set.status(), set.err());
            JsonNode p = daemon.port("br0", port);
            assertEquals(List.of("vlan-mode", "learning"), texts(p.path("overrides")), p.toString());
            assertEquals("access 20 api", setting(p, "vlan-mode"));
            assertEquals("off api", setting(p, "learning"));
            assertEquals("on default", setting(p, "flood"));
            String list = daemon.switchctl("port", "list").out();
            assertTrue(list.lines().anyMatch(l -> l.contains(port) && l.endsWith("config+api")), list);
            TestDaemon.CliResult show = daemon.switchctl("port", "show", "br0", port);
            assertEquals(0, show.status(), show.err());
            assertTrue(show.out().contains("declared in the config file; the API overrides vlan-mode, learning"),
                    show.out());
            assertTrue(show.out().lines().anyMatch(l -> l.matches("vlan-mode +access 20 +api")), show.out());
            assertTrue(show.out().lines().anyMatch(l -> l.matches("mac-limit +0 +default")), show.out());
            String state = Files.readString(daemon.stateFile(), StandardCharsets.UTF_8);
            assertTrue(state.contains("vlan=20"), state);

            TestDaemon.CliResult reset = daemon.switchctl("port", "reset", "br0", port);
            assertEquals(0, reset.status(), reset.err());
            p = daemon.port("br0", port);
            assertEquals(List.of(), texts(p.path("overrides")), p.toString());
            assertEquals("access 10 config", setting(p, "vlan-mode"));
            assertTrue(p.path("learning").asBoolean());
            String after = daemon.switchctl("port", "list").out();
            assertTrue(after.lines().anyMatch(l -> l.contains(port) && l.endsWith("config")), after);
            assertFalse(Files.readString(daemon.stateFile()).contains("vlan=20"), "the state file has the reset too");
        }
    }

    private static List<JsonNode> staticEntries(SwitchdClient client) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode e : client.call("GET", "/v1/bridges/br0/fdb", null)) {
            if (e.path("type").asText().equals("static")) {
                out.add(e);
            }
        }
        return out;
    }

    /** A setting of a port as "value from". */
    private static String setting(JsonNode port, String key) {
        for (JsonNode s : port.path("settings")) {
            if (s.path("key").asText().equals(key)) {
                return s.path("value").asText() + " " + s.path("from").asText();
            }
        }
        throw new AssertionError("no setting " + key + " in " + port);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void assertError(SwitchdClient.Response r, int status, String message) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.status(), body);
        assertTrue(Json.mapper().readTree(r.body()).path("error").asText().startsWith(message), body);
    }
}

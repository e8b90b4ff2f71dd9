package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vhost-user ports through the config file, the API and switchctl: they are configured, shown
 * with their socket, mode and features, kept in the state file, refused without a socket (or
 * with one switchd cannot make), and replaced by a reload that changes their socket. With no
 * frontend connected, such a port is absent.
 */
class VhostUserPortApiTest {
    private final String id = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
    /** A netdev port whose interface never exists: absent, but there, as a port of another kind. */
    private final String netdev = "zz" + id;

    private TestDaemon start(Path dir) throws Exception {
        return TestDaemon.start(dir, "br0 { ports { vm1 { type = vhost-user, socket = \"" + dir.resolve("vm1.sock")
                + "\" }, " + netdev + " {} } }", null);
    }

    @Test
    void aConfiguredVhostUserPortShowsItsSocketModeAndFeaturesAndOtherKindsShowNone(@TempDir Path dir)
            throws Exception {
        try (TestDaemon daemon = start(dir)) {
            JsonNode vm1 = daemon.port("br0", "vm1");
            assertEquals("vhost-user", vm1.path("type").asText(), vm1.toString());
            assertEquals(dir.resolve("vm1.sock").toString(), vm1.path("socket").asText());
            assertEquals("server", vm1.path("mode").asText());
            assertTrue(vm1.path("features").isArray() && vm1.path("features").isEmpty(), vm1.toString());
            assertEquals("absent", vm1.path("state").asText(), "no data path yet: " + vm1);

            JsonNode other = daemon.port("br0", netdev);
            assertFalse(other.has("socket") || other.has("mode") || other.has("features"), other.toString());
            assertTrue(other.has("persistent"), other.toString());

            TestDaemon.CliResult list = daemon.switchctl("port", "list", "br0", "-j");
            assertEquals(0, list.status(), list.err());
            JsonNode listed = Json.mapper().readTree(list.out());
            boolean found = false;
            for (JsonNode p : listed) {
                if (p.path("name").asText().equals("vm1")) {
                    found = true;
                    assertEquals("server", p.path("mode").asText(), p.toString());
                }
            }
            assertTrue(found, list.out());
            TestDaemon.CliResult show = daemon.switchctl("port", "show", "br0", "vm1");
            assertEquals(0, show.status(), show.err());
            assertTrue(show.out().contains("vhost-user socket " + dir.resolve("vm1.sock") + " mode server"),
                    show.out());
        }
    }

    @Test
    void switchctlAddsAVhostUserPortWithItsSocketAfterTheCommandAndTheControlSocketBefore(@TempDir Path dir)
            throws Exception {
        try (TestDaemon daemon = start(dir)) {
            String sock = dir.resolve("vm3.sock").toString();
            // TestDaemon puts -s CONTROL before the command; --socket after port add is the VM's
            TestDaemon.CliResult add = daemon.switchctl("port", "add", "br0", "vm3", "--type", "vhost-user",
                    "--socket", sock, "--mode", "client", "--owner", "libvirt:vm3");
            assertEquals(0, add.status(), add.err());
            JsonNode vm3 = daemon.port("br0", "vm3");
            assertNotNull(vm3);
            assertEquals(sock, vm3.path("socket").asText(), vm3.toString());
            assertEquals("client", vm3.path("mode").asText());
            assertEquals("api", vm3.path("origin").asText());

            // -s after port add is still the control socket
            TestDaemon.CliResult again = daemon.switchctl("port", "add", "br0", "vm4", "-s", daemon.socket().toString(),
                    "--type", "vhost-user", "--socket", dir.resolve("vm4.sock").toString());
            assertEquals(0, again.status(), again.err());
            assertEquals("server", daemon.port("br0", "vm4").path("mode").asText());

            String state = Files.readString(daemon.stateFile());
            assertTrue(state.contains(sock) && state.contains("client"), state);

            TestDaemon.CliResult missing = daemon.switchctl("port", "add", "br0", "vm5", "--type", "vhost-user");
            assertEquals(1, missing.status());
            assertTrue(missing.err().contains("a vhost-user port needs a socket"), missing.err());
            assertEquals(null, daemon.port("br0", "vm5"));

            assertEquals(0, daemon.switchctl("port", "del", "br0", "vm3", "--owner", "libvirt:vm3").status());
            assertEquals(null, daemon.port("br0", "vm3"));
        }
    }

    @Test
    void theApiRefusesAVhostUserPortWithoutAnAbsoluteSocketAndAddsOneWithIt(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            SwitchdClient client = daemon.client();
            SwitchdClient.Response none = client.exchange("POST", "/v1/bridges/br0/ports",
                    Json.mapper().writeValueAsBytes(Map.of("name", "vm6", "type", "vhost-user")));
            assertEquals(400, none.status());
            assertTrue(new String(none.body()).contains("a vhost-user port needs a socket"), new String(none.body()));
            SwitchdClient.Response relative = client.exchange("POST", "/v1/bridges/br0/ports",
                    Json.mapper().writeValueAsBytes(Map.of("name", "vm6", "type", "vhost-user", "socket", "vm6.sock")));
            assertEquals(400, relative.status());
            assertTrue(new String(relative.body()).contains("absolute path"), new String(relative.body()));

            SwitchdClient.Response taken = client.exchange("POST", "/v1/bridges/br0/ports",
                    Json.mapper().writeValueAsBytes(Map.of("name", "vm6", "type", "vhost-user",
                            "socket", dir.resolve("vm1.sock").toString())));
            assertEquals(409, taken.status());
            assertTrue(new String(taken.body()).contains("is port vm1's already"), new String(taken.body()));

            SwitchdClient.Response noDirectory = client.exchange("POST", "/v1/bridges/br0/ports",
                    Json.mapper().writeValueAsBytes(Map.of("name", "vm6", "type", "vhost-user",
                            "socket", "/run/switchd-test-" + id + "/vm6.sock")));
            assertEquals(409, noDirectory.status(), "a socket switchd cannot make there is refused");
            assertTrue(new String(noDirectory.body()).contains("No such file or directory"), new String(noDirectory.body()));

            JsonNode added = client.call("POST", "/v1/bridges/br0/ports",
                    Map.of("name", "vm6", "type", "vhost-user", "socket", dir.resolve("vm6.sock").toString()));
            assertEquals("vhost-user", added.path("type").asText(), added.toString());
            assertEquals("server", added.path("mode").asText());
            assertTrue(added.path("features").isArray(), added.toString());
        }
    }

    @Test
    void aReloadThatChangesTheSocketReplacesThePortAndOneThatDoesNotLeavesIt(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = start(dir)) {
            daemon.rewriteConfig("br0 { ports { vm1 { type = vhost-user, socket = \"" + dir.resolve("vm1.sock")
                    + "\" }, " + netdev + " { vlan-mode = access, vlan = 5 } } }");
            TestDaemon.CliResult same = daemon.switchctl("reload", "-j");
            assertEquals(0, same.status(), same.err());
            assertTrue(same.out().contains("br0/" + netdev), same.out());
            assertFalse(same.out().contains("br0/vm1"), "vm1 did not change: " + same.out());

            daemon.rewriteConfig("br0 { ports { vm1 { type = vhost-user, socket = \"" + dir.resolve("other.sock")
                    + "\", mode = client }, " + netdev + " { vlan-mode = access, vlan = 5 } } }");
            TestDaemon.CliResult changed = daemon.switchctl("reload", "-j");
            assertEquals(0, changed.status(), changed.err());
            JsonNode change = Json.mapper().readTree(changed.out()).path("changes").get(0);
            assertEquals("br0/vm1", change.path("name").asText(), changed.out());
            assertEquals("re-created", change.path("action").asText(), changed.out());
            JsonNode vm1 = daemon.port("br0", "vm1");
            assertEquals(dir.resolve("other.sock").toString(), vm1.path("socket").asText(), vm1.toString());
            assertEquals("client", vm1.path("mode").asText());
        }
    }
}

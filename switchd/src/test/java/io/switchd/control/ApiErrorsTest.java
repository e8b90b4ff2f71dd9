package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad request answers 4xx with a message, and the daemon keeps serving. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiErrorsTest {
    private TestDaemon daemon;
    private SwitchdClient client;

    /** A netdev port whose interface never exists (random name): it stays absent, but the API can change it. */
    private final String port = "zz" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 24);

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        daemon = TestDaemon.start(dir, "br0 { ports { " + port + " {} } }", null);
        client = daemon.client();
    }

    @AfterAll
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // what exists and what does not
        "GET    | /v1/bridges/nope                 | ``                                   | 404 | no bridge nope",
        "POST   | /v1/bridges                      | `{\"name\": \"br0\"}`               | 409 | exists already",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"sw-nosuch0\"}`         | 409 | does not exist",
        "POST   | /v1/bridges/nope/ports           | `{\"name\": \"x\"}`                  | 404 | no bridge nope",
        "PATCH  | /v1/bridges/br0/ports/x          | `{\"admin\": \"down\"}`              | 404 | no port x",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"02:00:00:00:00:01\", \"port\": \"x\"}` | 404 | no port x",
        "DELETE | /v1/bridges/br0/fdb/02:00:00:00:00:09 | ``                              | 404 | no entry",
        "POST   | /v1/bridges/br0/fdb/flush        | `{\"port\": \"x\"}`                  | 404 | no port x",
        "GET    | /v1/bridges/br0/stats?port=x     | ``                                   | 404 | no port x",
        // bad JSON
        "POST   | /v1/bridges                      | `{bad`                               | 400 | malformed JSON",
        "POST   | /v1/bridges                      | `{\"name\": \"x\",}`                | 400 | malformed JSON",
        "POST   | /v1/bridges                      | `[1,2]`                              | 400 | a JSON object is needed, not a list",
        "POST   | /v1/bridges                      | `null`                               | 400 | JSON object",
        "POST   | /v1/bridges                      | `\"br9\"`                            | 400 | a JSON object is needed, not \"br9\"",
        "POST   | /v1/bridges                      | `{\"name\": \"x\"} {`                | 400 | malformed JSON: something follows",
        "POST   | /v1/bridges                      | ``                                   | 400 | JSON body",
        "POST   | /v1/bridges                      | `{\"name\": \"\\ud800\"}`             | 400 | bridge name",
        // wrong types
        "POST   | /v1/bridges                      | `{\"name\": 7}`                     | 400 | field \"name\" must be a string, not 7",
        "POST   | /v1/bridges                      | `{\"name\": [\"br9\"]}`              | 400 | field \"name\" must be a string, not a list",
        "POST   | /v1/bridges                      | `{\"name\": {\"a\": 1}}`             | 400 | field \"name\" must be a string, not an object",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"learning\": \"yes\"}`            | 400 | field \"learning\" must be true or false, not \"yes\"",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"learning\": 1}`                  | 400 | field \"learning\" must be true or false, not 1",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"access\", \"vlan\": \"10\"}` | 400 | field \"vlan\" must be a whole number, not \"10\"",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"access\", \"vlan\": 10.5}` | 400 | field \"vlan\" must be a whole number, not 10.5",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"trunk\", \"vlans\": \"10\"}` | 400 | field \"vlans\" must be a list, not \"10\"",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": 5, \"port\": \"{port}\"}` | 400 | field \"mac\" must be a string, not 5",
        "POST   | /v1/bridges/br0/fdb/flush        | `{\"static\": \"yes\"}`              | 400 | field \"static\" must be true or false, not \"yes\"",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"admin\": true}`                  | 400 | field \"admin\" must be a string, not true",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan\": \"x\"}`                  | 400 | field \"vlan\" must be a whole number, not \"x\"",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlans\": [10]}`                 | 400 | field \"vlans[0]\" must be a string, not 10",
        "POST   | /v1/bridges                      | `{\"name\": \"x`                      | 400 | malformed JSON at line 1",
        "POST   | /v1/bridges                      | `{\"name\": \"x\"`                    | 400 | malformed JSON at line 1",
        // unknown fields
        "POST   | /v1/bridges                      | `{\"nam\": \"x\"}`                  | 400 | unknown field \"nam\" (known: name)",
        "POST   | /v1/bridges                      | `{\"name\": \"br9\", \"ageing\": 1}` | 400 | unknown field",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_id\": 10}`                  | 400 | unknown field",
        // values out of range, huge numbers
        "POST   | /v1/bridges                      | `{\"name\": \"bad name!\"}`         | 400 | bridge name",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"x\", \"type\": \"vde\"}` | 400 | tap, netdev, vhost-user or vxlan",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"local\": \"192.0.2.1\"}` | 400 | a vxlan port needs a vni",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 0, \"local\": \"192.0.2.1\"}` | 400 | vni must be from 1 to 16777215, not 0",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 16777216, \"local\": \"192.0.2.1\"}` | 400 | vni must be from 1 to 16777215",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 7}` | 400 | a vxlan port needs local",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 7, \"local\": \"nowhere\"}` | 400 | local must be an IPv4 or IPv6 address",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 7, \"local\": \"192.0.2.1\", \"remotes\": [\"192.0.2.x\"]}` | 400 | a remote must be an IPv4 or IPv6 address",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"x\", \"type\": \"tap\", \"remotes\": [\"192.0.2.2\"]}` | 400 | only vxlan ports have remotes",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"x\", \"vni\": 5}` | 400 | only vxlan ports have a vni",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"x\", \"tos\": 5}` | 400 | only vxlan ports have a tos",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 7, \"local\": \"192.0.2.1\", \"ttl\": 0}` | 400 | ttl must be from 1 to 255, not 0",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 7, \"local\": \"192.0.2.1\", \"tos\": 256}` | 400 | tos must be from 0 to 255, not 256",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vx1\", \"type\": \"vxlan\", \"vni\": 7, \"local\": \"192.0.2.250\"}` | 409 | no interface holds local address 192.0.2.250",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vm3\", \"type\": \"vhost-user\"}` | 400 | a vhost-user port needs a socket",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vm3\", \"type\": \"vhost-user\", \"socket\": \"vm3.sock\"}` | 400 | absolute path",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vm3\", \"type\": \"vhost-user\", \"socket\": \"/run/vm3.sock\", \"mode\": \"both\"}` | 400 | mode must be server or client",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"x\", \"type\": \"tap\", \"socket\": \"/run/x.sock\"}` | 400 | only vhost-user ports have a socket",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"x\", \"mode\": \"client\"}` | 400 | only vhost-user ports have a mode",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"vm3\", \"type\": \"vhost-user\", \"socket\": \"/run/vm3.sock\", \"persistent\": true}` | 400 | only tap ports can be persistent",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"a/b\"}`                | 400 | interface name",
        "POST   | /v1/bridges/br0/ports            | `{\"name\": \"sixteen-chars-xx\"}`   | 400 | interface name",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"zz\", \"port\": \"x\"}` | 400 | not a MAC address",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"01:00:5e:00:00:01\", \"port\": \"x\"}` | 400 | unicast",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"02:00:00:00:00:01\", \"port\": \"x\", \"vlan\": 99999999999}` | 400 | field \"vlan\" is a number out of range",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"02:00:00:00:00:01\", \"port\": \"x\", \"vlan\": 1e30}` | 400 | field \"vlan\" must be a whole number, not 1e30",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"02:00:00:00:00:01\", \"port\": \"x\", \"vlan\": 5000}` | 400 | VLAN",
        "POST   | /v1/bridges/br0/fdb              | `{\"mac\": \"02:00:00:00:00:01\", \"port\": \"x\", \"vlan\": -1}` | 400 | VLAN",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"access\", \"vlan\": 1e30}` | 400 | field \"vlan\" must be a whole number, not 1e30",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"access\", \"vlan\": 0}` | 400 | VLAN id from 1",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"access\", \"vlan\": 4095}` | 400 | VLAN id from 1",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"access\", \"native_vlan\": 5}` | 400 | for trunk ports",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"hybrid\"}`       | 400 | vlan-mode must be",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"trunk\", \"vlans\": [\"20-10\"]}` | 400 | vlans: \"20-10\" is not within",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"trunk\", \"vlans\": [\"1-99999999999\"]}` | 400 | VLAN id or range",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"trunk\"}`        | 400 | needs vlans",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"vlan_mode\": \"transparent\", \"vlan\": 10}` | 400 | need vlan-mode",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"mac_limit\": 9223372036854775808}` | 400 | field \"mac_limit\" is a number out of range",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"mac_limit\": -1}`                | 400 | mac-limit",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"storm_broadcast\": 9223372036854775807}` | 400 | storm-control",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"storm_broadcast\": 9223372036854775808}` | 400 | field \"storm_broadcast\" is a number out of range",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"storm_burst\": 0}`               | 400 | storm-control",
        "PATCH  | /v1/bridges/br0/ports/{port}     | `{\"admin\": \"sideways\"}`         | 400 | admin must be",
        "GET    | /v1/bridges/br0/fdb?vlan=ten     | ``                                   | 400 | vlan must be",
        "GET    | /v1/bridges/br0/fdb?vlan=99999999999 | ``                               | 400 | vlan must be",
        "GET    | /v1/bridges/br0/fdb?vlan=-5      | ``                                   | 400 | VLAN must be",
        "GET    | /v1/bridges/br0/fdb?mac=zz       | ``                                   | 400 | not a MAC address",
        "GET    | /v1/bridges/br0/fdb?limit=0      | ``                                   | 400 | limit must be",
        "GET    | /v1/fdb?limit=100001             | ``                                   | 400 | limit must be",
        "GET    | /v1/fdb?offset=-1                | ``                                   | 400 | offset must be",
        "DELETE | /v1/bridges/br0/fdb/zz           | ``                                   | 400 | not a MAC address",
        // paths and methods
        "PUT    | /v1/bridges                      | `{}`                                 | 405 | not allowed",
        "GET    | /v1/reload                       | ``                                   | 405 | not allowed",
        "BREW   | /v1/bridges                      | ``                                   | 405 | not allowed",
        "DELETE | /v1/health                       | ``                                   | 405 | not allowed",
        "POST   | /v1/bridges/br0/ports/{port}     | `{}`                                 | 405 | not allowed",
        "GET    | /v1/bridges/br0/fdb/flush        | ``                                   | 405 | not allowed",
        "GET    | /v1/nothing                      | ``                                   | 404 | no such route",
        "GET    | /elsewhere                       | ``                                   | 404 | no such route",
        "GET    | /v1//bridges                     | ``                                   | 404 | no such route",
        "GET    | /v1/bridges/br0/ports/{port}/stats/more | ``                            | 404 | no such route",
        "GET    | /v1/bridges/br0/fdb/flush/x      | ``                                   | 404 | no such route",
        "GET    | *                                | ``                                   | 404 | no such route",
        // bad percent-encoding
        "GET    | /v1/bridges/%zz                  | ``                                   | 400 | percent-encoding",
        "GET    | /v1/bridges/%                    | ``                                   | 400 | percent-encoding",
        "GET    | /v1/bridges/br0/fdb?vlan=%G1     | ``                                   | 400 | percent-encoding",
        "GET    | /v1/bridges/%00                  | ``                                   | 404 | no bridge",
    })
    void badRequestsAnswer4xxWithAMessage(String method, String path, String body, int status, String message)
            throws Exception {
        byte[] b = body == null ? new byte[0] : body.replace("{port}", port).getBytes(StandardCharsets.UTF_8);
        SwitchdClient.Response r = client.exchange(method, path.replace("{port}", port), b);
        assertEquals(status, r.status(), new String(r.body(), StandardCharsets.UTF_8));
        if (status >= 400) {
            JsonNode error = Json.mapper().readTree(r.body());
            assertTrue(error.get("error").asText().contains(message), error.toString());
            assertInPlainWords(error.get("error").asText());
        }
        assertEquals(200, client.exchange("GET", "/v1/health", new byte[0]).status(), "the daemon still serves");
    }

    @Test
    void deeplyNestedOrNonUtf8BodiesAre400() throws Exception {
        byte[] nested = "[".repeat(60_000).getBytes(StandardCharsets.US_ASCII);
        assertError(client.exchange("POST", "/v1/bridges", nested), 400, "a JSON object is needed, not a list");
        byte[] latin1 = "{\"name\": \"br\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertError(client.exchange("POST", "/v1/bridges", latin1), 400, "malformed JSON");
        assertEquals(200, client.exchange("GET", "/v1/health", new byte[0]).status());
    }

    private static void assertError(SwitchdClient.Response r, int status, String message) throws Exception {
        assertEquals(status, r.status(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode error = Json.mapper().readTree(r.body());
        assertTrue(error.get("error").asText().contains(message), error.toString());
        assertInPlainWords(error.get("error").asText());
    }

    /** Nothing of Jackson's or Java's insides: no class names, token names, settings or source locations. */
    private static void assertInPlainWords(String message) {
        for (String inside : new String[] {"java.", "io.switchd", "com.fasterxml", "Cannot deserialize", "Cannot coerce",
            "Source:", "`", "JsonToken", "VALUE_", "START_", "Feature", "CoercionConfig"}) {
            assertFalse(message.contains(inside), "\"" + inside + "\" in: " + message);
        }
    }

    @Test
    void switchctlSaysWhatTheDaemonRefusedInItsOwnWords() {
        assertEquals(0, daemon.switchctl("port", "set", "br0", port, "vlan-mode", "transparent").status());
        TestDaemon.CliResult r = daemon.switchctl("port", "set", "br0", port, "vlan", "10");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("need vlan-mode access or trunk"), r.err());
        assertFalse(r.err().contains("vlan_mode"), r.err());
        r = daemon.switchctl("port", "set", "br0", port, "vlan-mode", "trunk", "vlans", "10,5000");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("vlans: \"5000\" is not within 1-4094"), r.err());
    }

    @Test
    void aBodyOver64KiBIsRefusedWith413() throws Exception {
        byte[] big = new byte[65 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        SwitchdClient.Response r = client.exchange("POST", "/v1/bridges", big);
        assertEquals(413, r.status());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("64 KiB"));
        assertEquals(200, client.exchange("GET", "/v1/health", new byte[0]).status());
    }

    @Test
    void garbageAndSlowClientsDoNotStopOthers() throws Exception {
        try (SocketChannel slow = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel garbage = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            slow.connect(UnixDomainSocketAddress.of(daemon.socket()));
            slow.write(ByteBuffer.wrap("POST /v1/bridges HTTP/1.1\r\nContent-Length: 100\r\n\r\n{".getBytes(StandardCharsets.US_ASCII)));
            garbage.connect(UnixDomainSocketAddress.of(daemon.socket()));
            garbage.write(ByteBuffer.wrap("\u0001\u0002 nonsense\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            InputStream in = Channels.newInputStream(garbage);
            String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertEquals(200, client.exchange("GET", "/v1/bridges", new byte[0]).status(), "served beside a slow client");
        }
    }

    @Test
    void theSocketIsOwnerAndGroupOnlyAndMetricsListenOnLoopbackForMetricsOnly() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket())));
        int port = daemon.daemon().control().metricsPort();
        HttpURLConnection m = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openConnection();
        assertEquals(200, m.getResponseCode());
        String text = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(text.contains("switchd_fdb_entries{bridge=\"br0\"}"), text);
        HttpURLConnection api = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v1/bridges").toURL().openConnection();
        assertEquals(404, api.getResponseCode(), "the API is not on the TCP listener");
    }

    @Test
    void apiChangesAreInTheStateFileAndComeBackAtTheNextStartBesideTheConfigFilesEdits(@TempDir Path other)
            throws Exception {
        try (TestDaemon first = TestDaemon.start(other, "br0 {}", null)) {
            assertEquals(201, first.client().exchange("POST", "/v1/bridges", "{\"name\":\"br7\"}".getBytes()).status());
            assertTrue(Files.readString(first.stateFile()).contains("br7"));
        }
        TestDaemon.writeConfig(other, "br0 { ageing-time = 60s }, br3 {}");
        try (TestDaemon second = TestDaemon.start(other, "", null)) {
            JsonNode bridges = second.client().call("GET", "/v1/bridges", null);
            assertEquals(3, bridges.size(), bridges.toString());
            assertEquals("br7", bridges.get(1).get("name").asText(), "the API's bridge is back");
            assertEquals("br3", bridges.get(2).get("name").asText(), "the config file's new bridge is there");
            assertEquals(60, bridges.get(0).get("ageing_time").asLong(), "the config file's edit is applied");
        }
    }

    @Test
    void aReloadAnswersWhatItDidWhatItCouldNotAnd422ForABadConfigFile(@TempDir Path other) throws Exception {
        String entry = "{ mac = \"02:00:00:00:00:0%d\", port = sw-nosuch1 }";
        try (TestDaemon d = TestDaemon.start(other, "br0 { mac-table-size = 1, ports { sw-nosuch1 {} }, static-macs = ["
                + entry.formatted(1) + "] }", null)) {
            d.rewriteConfig("br0 { mac-table-size = 1, ports { sw-nosuch1 {} }, static-macs = [" + entry.formatted(1)
                    + ", " + entry.formatted(2) + "] }, br1 {}");
            SwitchdClient.Response r = d.client().exchange("POST", "/v1/reload", new byte[0]);
            assertEquals(200, r.status());
            JsonNode changes = Json.mapper().readTree(r.body()).get("changes");
            assertEquals("added", changes.get(0).get("action").asText(), changes.toString());
            assertEquals("br1", changes.get(0).get("name").asText());
            assertEquals("failed", changes.get(1).get("action").asText(), changes.toString());
            assertEquals("br0 02:00:00:00:00:02 vlan 0", changes.get(1).get("name").asText());
            assertTrue(changes.get(1).get("detail").asText().contains("is full"), changes.toString());

            d.rewriteConfig("br0 { mac-table-size = many }");
            r = d.client().exchange("POST", "/v1/reload", new byte[0]);
            assertEquals(422, r.status());
            String error = Json.mapper().readTree(r.body()).get("error").asText();
            assertTrue(error.startsWith("bad configuration: " + d.configFile() + ":6: switchd.bridges.br0.mac-table-size: "),
                    error);
            assertEquals(2, d.client().call("GET", "/v1/bridges", null).size(), "nothing changed");
        }
    }
}

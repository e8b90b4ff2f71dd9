package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.frame.MacAddress;
import io.switchd.port.PortState;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.NotifySocket;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon as an operator drives it, against real interfaces: switchctl over the control socket,
 * a port added and deleted at run time with ping following, the MAC table and counters as
 * switchctl and /metrics show them, and READY=1 on a notify socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final String tap = "sw" + id + "a";
    private final String veth = "sw" + id + "b";
    private final long mac1 = 0x0200_0000_0A01L;
    private final long mac2 = 0x0200_0000_0A02L;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> readyMessages = new ArrayList<>();
    private TestDaemon daemon;
    private Netns ns1;
    private Netns ns2;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        ns1 = Netns.create("switchd-test-" + id + "-c1");
        namespaces.add(ns1);
        ns2 = Netns.create("switchd-test-" + id + "-c2");
        namespaces.add(ns2);
        Netns.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns2.name());
        try (NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            daemon = TestDaemon.start(dir, "br0.ports { " + tap + " { type = tap } }", notify.path().toString());
            String m;
            while ((m = notify.next(Duration.ofMillis(200))) != null) {
                readyMessages.add(m);
            }
        }
        Netns.run("ip", "link", "set", tap, "netns", ns1.name());
        ns1.exec("ip", "link", "set", "dev", tap, "address", MacAddress.format(mac1));
        ns1.exec("ip", "addr", "add", "10.78.0.1/24", "dev", tap);
        ns1.exec("ip", "link", "set", "dev", tap, "up");
        ns2.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(mac2));
        ns2.exec("ip", "addr", "add", "10.78.0.2/24", "dev", "eth0");
        ns2.exec("ip", "link", "set", "dev", "eth0", "up");
        // Permanent neighbours: no ARP probe of a stale entry lands in a window where a test counts frames.
        ns1.exec("ip", "neigh", "replace", "10.78.0.2", "lladdr", MacAddress.format(mac2), "dev", tap, "nud", "permanent");
        ns2.exec("ip", "neigh", "replace", "10.78.0.1", "lladdr", MacAddress.format(mac1), "dev", "eth0", "nud",
                "permanent");
    }

    @AfterAll
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        for (Netns ns : namespaces) {
            ns.close();
        }
        if (Interfaces.exists(veth)) {
            Netns.status("ip", "link", "del", veth);
        }
    }

    @Test
    @Order(1)
    void readyComesOnceThePortsAreAttached() {
        assertTrue(readyMessages.size() >= 2, "notify messages: " + readyMessages);
        assertTrue(readyMessages.get(0).startsWith("STATUS="), readyMessages.get(0));
        String ready = readyMessages.get(readyMessages.size() - 1);
        assertTrue(ready.startsWith("READY=1\n"), ready);
        assertTrue(ready.contains("1 port(s)"), ready);
        assertEquals(PortState.UP, daemon.daemon().switchd().bridge("br0").port(tap).state());
    }

    @Test
    @Order(2)
    void aPortAddedAtRunTimeForwardsAndTheMacTableShowsWhoIsWhere() throws Exception {
        assertFalse(pings(), "h1 reaches h2 before h2's port exists");
        TestDaemon.CliResult add = daemon.switchctl("port", "add", "br0", veth);
        assertEquals(0, add.status(), add.err());
        Await.until(WAIT, "ping from h1 to h2 once h2's port is added", this::pings);
        TestDaemon.CliResult twice = daemon.switchctl("port", "add", "br0", veth);
        assertEquals(1, twice.status(), "adding a port twice is a mistake");
        TestDaemon.CliResult mayExist = daemon.switchctl("port", "add", "br0", veth, "--may-exist");
        assertEquals(0, mayExist.status(), "--may-exist: " + mayExist.err());

        TestDaemon.CliResult fdb = daemon.switchctl("fdb", "show", "br0", "-j");
        assertEquals(0, fdb.status(), fdb.err());
        JsonNode entries = Json.mapper().readTree(fdb.out());
        assertEntry(entries, mac1, tap);
        assertEntry(entries, mac2, veth);

        TestDaemon.CliResult table = daemon.switchctl("fdb", "show");
        assertTrue(table.out().startsWith("BRIDGE"), table.out());
        assertTrue(table.out().contains(MacAddress.format(mac2)), table.out());

        TestDaemon.CliResult flush = daemon.switchctl("fdb", "flush", "br0");
        assertEquals(0, flush.status(), flush.err());
        JsonNode after = Json.mapper().readTree(daemon.switchctl("-j", "fdb", "show", "br0", "--port", veth).out());
        assertEquals(0, after.size(), "learned entries survive a flush: " + after);
    }

    @Test
    @Order(3)
    void statsAndMetricsCountWhatWasSent() throws Exception {
        String series = "switchd_port_rx_frames_total{bridge=\"br0\",port=\"" + tap + "\"}";
        long before = rxFrames();
        try (RawSocket h1 = RawSocket.open(ns1, tap)) {
            for (int i = 0; i < 50; i++) {
                h1.send(Frames.frame(Frames.BROADCAST, mac1, Frames.token()));
            }
        }
        Await.equals(before + 50, WAIT, "stats rx_frames of h1's port", this::rxFrames);
        String metrics = daemon.client().text("/metrics");
        PrometheusText.validate(metrics);
        assertEquals(before + 50, (long) PrometheusText.value(metrics, series), series);
        for (String name : new String[] {"switchd_port_tx_bytes_total", "switchd_port_dropped_frames_total",
            "switchd_port_up", "switchd_fdb_entries", "switchd_fdb_learned_total", "switchd_fdb_aged_total",
            "switchd_fdb_moves_total", "switchd_fdb_full_total", "switchd_flooded_frames_total",
            "switchd_fdb_entry_age_seconds", "switchd_fdb_entries_exported", "jvm_memory_used_bytes",
            "process_cpu_usage"}) {
            assertTrue(metrics.contains("\n" + name), name + " missing from /metrics");
        }
        assertEquals(1.0, PrometheusText.value(metrics, "switchd_port_up{bridge=\"br0\",port=\"" + tap + "\"}"));
        assertEquals(1.0, PrometheusText.value(metrics,
                "switchd_port_state{bridge=\"br0\",port=\"" + tap + "\",state=\"up\"}"));
        assertEquals(0.0, PrometheusText.value(metrics,
                "switchd_port_state{bridge=\"br0\",port=\"" + tap + "\",state=\"absent\"}"));
    }

    @Test
    @Order(4)
    void aPortDeletedAtRunTimeStopsForwarding() {
        assertTrue(pings(), "h1 reaches h2");
        TestDaemon.CliResult del = daemon.switchctl("port", "del", "br0", veth);
        assertEquals(0, del.status(), del.err());
        Await.until(WAIT, "h1 no longer reaches h2", () -> !pings());
        TestDaemon.CliResult again = daemon.switchctl("port", "del", "br0", veth);
        assertEquals(1, again.status());
        assertTrue(again.err().contains("no port"), again.err());
        TestDaemon.CliResult ifExists = daemon.switchctl("port", "del", "br0", veth, "--if-exists");
        assertEquals(0, ifExists.status(), "--if-exists: " + ifExists.err());
    }

    @Test
    @Order(5)
    void portSettingsSetWithSwitchctlShowInPortListAndPersist() throws Exception {
        TestDaemon.CliResult set = daemon.switchctl("port", "set", "br0", tap, "vlan-mode", "access", "vlan", "10",
                "learning", "off", "isolated", "on", "storm-broadcast", "100");
        assertEquals(0, set.status(), set.err());
        JsonNode port = Json.mapper().readTree(daemon.switchctl("port", "list", "br0", "-j").out()).get(0);
        assertEquals("access", port.get("vlan_mode").asText(), port.toString());
        assertEquals(10, port.get("vlan").asInt());
        assertFalse(port.get("learning").asBoolean());
        assertTrue(port.get("isolated").asBoolean());
        assertEquals(100, port.get("storm_control").get("broadcast").asLong());
        assertTrue(port.get("reason").isNull(), "an up port has no reason to give: " + port);
        String table = daemon.switchctl("port", "list").out();
        assertTrue(table.contains("access 10") && table.contains("no-learning") && table.contains("isolated"), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("br0 +" + tap + " +tap +up +- +1500 .*")), table);
        assertEquals(0, daemon.switchctl("port", "set", "br0", tap, "down").status());
        assertEquals("admin-down", daemon.port("br0", tap).get("reason").asText());
        assertTrue(daemon.switchctl("port", "list").out().lines()
                .anyMatch(l -> l.matches("br0 +" + tap + " +tap +admin-down +admin-down +1500 .*")));
        assertEquals(0, daemon.switchctl("port", "set", "br0", tap, "up").status());
        String state = java.nio.file.Files.readString(daemon.stateFile());
        assertTrue(state.contains("vlan-mode=access") && state.contains("isolated=true"), state);

        TestDaemon.CliResult trunk = daemon.switchctl("port", "set", "br0", tap, "vlan-mode", "trunk");
        assertEquals(1, trunk.status());
        assertTrue(trunk.err().contains("trunk needs"), trunk.err());
        assertEquals(2, daemon.switchctl("port", "set", "br0", tap, "colour", "blue").status());
        assertEquals(0, daemon.switchctl("port", "set", "br0", tap, "vlan-mode", "transparent", "learning", "on",
                "isolated", "off", "storm-broadcast", "0").status());
    }

    @Test
    @Order(6)
    void aDeletionWithAnOwnerRemovesOnlyWhatThatOwnerAdded() throws Exception {
        TestDaemon.CliResult add = daemon.switchctl("port", "add", "br0", veth, "--owner", "hook1");
        assertEquals(0, add.status(), add.err());
        JsonNode port = Json.mapper().readTree(daemon.switchctl("port", "list", "br0", "-j").out()).get(1);
        assertEquals(veth, port.get("name").asText(), port.toString());
        assertEquals("api", port.get("origin").asText(), port.toString());
        assertEquals("hook1", port.get("owner").asText(), port.toString());
        assertTrue(daemon.switchctl("port", "list").out().lines().anyMatch(l -> l.contains(veth)
                && l.endsWith("api:hook1")));
        assertEquals(0, daemon.switchctl("port", "set", "br0", veth, "isolated", "on").status());

        TestDaemon.CliResult again = daemon.switchctl("port", "add", "br0", veth, "--may-exist", "--owner", "hook2");
        assertEquals(0, again.status(), again.err());
        port = daemon.port("br0", veth);
        assertEquals("hook1", port.get("owner").asText(), "--may-exist leaves the owner: " + port);
        assertTrue(port.get("isolated").asBoolean(), "--may-exist leaves the settings: " + port);

        TestDaemon.CliResult other = daemon.switchctl("port", "del", "br0", veth, "--if-exists", "--owner", "hook2");
        assertEquals(0, other.status(), other.err());
        assertEquals("switchctl: port br0/" + veth + " stays: it was added by hook1, not by hook2\n", other.err());
        assertNotNull(daemon.port("br0", veth));
        assertEquals(409, daemon.client().exchange("DELETE", "/v1/bridges/br0/ports/" + veth + "?owner=hook2",
                new byte[0]).status(), "the daemon checks the owner too");

        TestDaemon.CliResult config = daemon.switchctl("port", "del", "br0", tap, "--if-exists", "--owner", "hook1");
        assertEquals(0, config.status(), config.err());
        assertEquals("switchctl: port br0/" + tap + " stays: it is declared in the config file\n", config.err());
        assertNotNull(daemon.port("br0", tap));
        TestDaemon.CliResult reset = daemon.switchctl("port", "reset", "br0", veth);
        assertEquals(1, reset.status());
        assertTrue(reset.err().contains("was added through the API"), reset.err());

        TestDaemon.CliResult own = daemon.switchctl("port", "del", "br0", veth, "--if-exists", "--owner", "hook1");
        assertEquals(0, own.status(), own.err());
        assertEquals("", own.err());
        assertEquals(null, daemon.port("br0", veth), "deleted by its owner");

        assertEquals(0, daemon.switchctl("port", "add", "br0", veth).status());
        TestDaemon.CliResult none = daemon.switchctl("port", "del", "br0", veth, "--owner", "hook1");
        assertEquals(0, none.status(), none.err());
        assertTrue(none.err().contains("stays: it was added without an owner, not by hook1"), none.err());
        assertEquals(0, daemon.switchctl("port", "del", "br0", veth).status(), "a plain del deletes it");
        assertEquals(null, daemon.port("br0", veth));
    }

    private boolean pings() {
        return ns1.execStatus("ping", "-c", "1", "-W", "1", "10.78.0.2") == 0;
    }

    private long rxFrames() {
        try {
            JsonNode stats = Json.mapper().readTree(daemon.switchctl("stats", "br0", tap, "-j").out());
            return stats.get(0).get("rx_frames").asLong();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertEntry(JsonNode entries, long mac, String port) {
        for (JsonNode e : entries) {
            if (e.get("mac").asText().equals(MacAddress.format(mac))) {
                assertEquals(port, e.get("port").asText(), e.toString());
                assertEquals(0, e.get("vlan").asInt());
                assertEquals("learned", e.get("type").asText());
                long age = e.get("age").asLong();
                assertTrue(age >= 0 && age < 60, "age " + age);
                assertNotNull(e.get("bridge"));
                return;
            }
        }
        throw new AssertionError(MacAddress.format(mac) + " is not in " + entries);
    }
}

package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.frame.MacAddress;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import io.switchd.testing.TestDaemon;
import io.switchd.testing.UdpEcho;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reloads against real interfaces: ports added, removed and changed while a UDP echo flood crosses
 * two ports the reload does not touch, which lose nothing and keep their MAC entries; a bad config
 * file refused with file, line and key; the API's changes kept.
 *
 * <p>br0 holds host A (a TAP in namespace a), host B and an observer O (veths into namespaces),
 * port C whose settings change, port D that is removed, and port E that is added; br1, with TAP
 * port F, comes and goes. Every namespace has IPv6 off and sends nothing unasked, so the only frames
 * O's port may get are floods: none while A's and B's addresses stay known.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration FLOOD_INTERVAL = Duration.ofMillis(5);
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final String a = "sw" + id + "a";
    private final String b = "sw" + id + "b";
    private final String o = "sw" + id + "o";
    private final String c = "sw" + id + "c";
    private final String d = "sw" + id + "d";
    private final String e = "sw" + id + "e";
    private final String f = "sw" + id + "f";
    private final long macA = 0x0200_0000_0B01L;
    private final long macB = 0x0200_0000_0B02L;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();
    private TestDaemon daemon;
    private Netns nsA;
    private Netns nsB;

    /** The config file at the start and after every other reload. */
    private String before() {
        return "br0 { ports { " + a + " { type = tap }, " + b + " {}, " + o + " {}, " + c + " {}, " + d + " {} } }";
    }

    /** The config file after the first reload: D out, E in, C and br0 changed, br1 new. */
    private String after(String cExtra, String oSettings) {
        return "br0 { ageing-time = 600s, mac-table-size = 8192, ports { " + a + " { type = tap }, " + b + " {}, "
                + o + " {" + oSettings + "}, " + c + " { vlan-mode = access, vlan = 10, isolated = true" + cExtra + " }, "
                + e + " {} } }, br1 { ports { " + f + " { type = tap } } }";
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        nsA = namespace("a");
        for (String veth : new String[] {b, o, c, d, e}) {
            Netns ns = namespace(veth.substring(veth.length() - 1));
            Netns.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
            rootLinks.add(veth);
            ns.exec("ip", "link", "set", "dev", "eth0", "up");
            if (veth.equals(b)) {
                nsB = ns;
            }
        }
        daemon = TestDaemon.start(dir, before(), null);
        Netns.run("ip", "link", "set", a, "netns", nsA.name());
        nsA.exec("ip", "link", "set", "dev", a, "address", MacAddress.format(macA));
        nsA.exec("ip", "addr", "add", "10.79.0.1/24", "dev", a);
        nsA.exec("ip", "link", "set", "dev", a, "up");
        nsB.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(macB));
        nsB.exec("ip", "addr", "add", "10.79.0.2/24", "dev", "eth0");
    }

    private Netns namespace(String suffix) {
        Netns ns = Netns.create("switchd-test-" + id + "-r" + suffix);
        namespaces.add(ns);
        return ns;
    }

    @AfterAll
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        for (Netns ns : namespaces) {
            ns.close();
        }
        for (String link : rootLinks) {
            if (Interfaces.exists(link)) {
                Netns.status("ip", "link", "del", link);
            }
        }
        if (Interfaces.exists(f)) {
            Netns.status("ip", "link", "del", f);
        }
    }

    @Test
    @Order(1)
    void aPingFloodAcrossUntouchedPortsLosesNothingWhileReloadsChangeEverythingAroundIt() throws Exception {
        Await.until(WAIT, "A reaches B", () -> nsA.execStatus("ping", "-c", "1", "-W", "1", "10.79.0.2") == 0);
        long observed = toObserver();
        // a stream that runs until the reloads are done, however long they take, then counts its replies
        try (UdpEcho flood = UdpEcho.start(nsA, nsB, "10.79.0.2", FLOOD_INTERVAL)) {
            long rx = rxFrames(b);
            Await.until(WAIT, "the flood under way", () -> rxFrames(b) >= rx + 100);

            daemon.rewriteConfig(after("", ""));
            TestDaemon.CliResult first = daemon.switchctl("reload");
            assertEquals(0, first.status(), first.err());
            assertEquals(List.of("removed port br0/" + d,
                    "changed bridge br0: ageing-time 300s -> 600s, mac-table-size 65536 -> 8192",
                    "added bridge br1: 1 port(s)",
                    "changed port br0/" + c + ": vlan-mode transparent -> access 10, isolated off -> on",
                    "added port br0/" + e,
                    "5 change(s), 3 port(s) untouched"), lines(first.out()));
            daemon.rewriteConfig(before());
            assertEquals(0, daemon.switchctl("reload").status());
            daemon.rewriteConfig(after("", ""));
            assertEquals(0, daemon.switchctl("reload").status());

            flood.stopAndAwaitEveryReply(WAIT, "from A to B across three reloads");
        }
        assertEquals(observed, toObserver(), "A's or B's address was forgotten: their unicast was flooded to O");
        assertEquals(a, fdbPort(macA));
        assertEquals(b, fdbPort(macB));

        JsonNode ports = daemon.client().call("GET", "/v1/ports", null);
        assertEquals(List.of("br0/" + a, "br0/" + b, "br0/" + c, "br0/" + e, "br0/" + o, "br1/" + f), names(ports));
        assertEquals("up", daemon.client().call("GET", "/v1/bridges/br1/ports/" + f, null).get("state").asText());
        JsonNode portC = daemon.client().call("GET", "/v1/bridges/br0/ports/" + c, null);
        assertEquals(10, portC.get("vlan").asInt(), portC.toString());
        JsonNode br0 = daemon.client().call("GET", "/v1/bridges/br0", null);
        assertEquals(600, br0.get("ageing_time").asLong());
        assertEquals(8192, br0.get("mac_table_size").asInt());
    }

    @Test
    @Order(2)
    void aBadConfigFileIsRefusedWithFileLineAndKeyAndNothingChanges() throws Exception {
        JsonNode before = daemon.client().call("GET", "/v1/ports", null);
        daemon.rewriteConfig("br0 {\n ageing-tme = 10s\n ports {} }");
        TestDaemon.CliResult r = daemon.switchctl("reload");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("bad configuration: " + daemon.configFile()
                + ":7: switchd.bridges.br0.ageing-tme: unknown key"), r.err());
        assertTrue(r.err().contains("the running configuration stays"), r.err());
        assertEquals(before, daemon.client().call("GET", "/v1/ports", null));
        assertEquals(0, nsA.execStatus("ping", "-c", "1", "-W", "1", "10.79.0.2"), "A still reaches B");
    }

    @Test
    @Order(3)
    void theApisChangesStayUnlessTheConfigFileChangesTheSameThing() throws Exception {
        assertEquals(0, daemon.switchctl("port", "set", "br0", c, "learning", "off", "mac-limit", "5").status());
        assertEquals(0, daemon.switchctl("bridge", "add", "br9").status());
        assertEquals(0, daemon.switchctl("fdb", "add", "br0", "02:00:00:00:0b:99", "--port", b).status());

        daemon.rewriteConfig(after(", mac-limit = 9", " flood = false "));
        TestDaemon.CliResult r = daemon.switchctl("-j", "reload");
        assertEquals(0, r.status(), r.err());
        JsonNode summary = Json.mapper().readTree(r.out());
        List<String> changes = new ArrayList<>();
        summary.get("changes").forEach(ch -> changes.add(ch.get("name").asText() + ": " + ch.get("detail").asText()));
        assertEquals(List.of("br0/" + c + ": mac-limit 5 -> 9", "br0/" + o + ": flood on -> off"), changes);
        assertEquals("port br0/" + c + " mac-limit: the API made it 5, the config file 9; the config file wins",
                summary.get("conflicts").get(0).asText());

        JsonNode portC = daemon.client().call("GET", "/v1/bridges/br0/ports/" + c, null);
        assertFalse(portC.get("learning").asBoolean(), "the API's learning off stays: " + portC);
        assertEquals(9, portC.get("mac_limit").asInt());
        assertEquals(200, daemon.client().exchange("GET", "/v1/bridges/br9", new byte[0]).status());
        assertEquals(1, daemon.client().call("GET", "/v1/bridges/br0/fdb?mac=02:00:00:00:0b:99", null).size());
        String state = Files.readString(daemon.stateFile());
        assertTrue(state.contains("br9") && state.contains("base"), state);
    }

    private long toObserver() {
        try {
            JsonNode s = daemon.client().call("GET", "/v1/bridges/br0/stats?port=" + o, null).get(0);
            return s.get("tx_frames").asLong() + s.get("drops").get("egress-full").asLong()
                    + s.get("drops").get("egress-error").asLong();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private long rxFrames(String port) {
        try {
            return daemon.client().call("GET", "/v1/bridges/br0/stats?port=" + port, null).get(0).get("rx_frames").asLong();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String fdbPort(long mac) throws Exception {
        JsonNode entries = daemon.client().call("GET", "/v1/bridges/br0/fdb?mac=" + MacAddress.format(mac), null);
        assertEquals(1, entries.size(), entries.toString());
        assertEquals("learned", entries.get(0).get("type").asText());
        return entries.get(0).get("port").asText();
    }

    private static List<String> names(JsonNode ports) {
        List<String> out = new ArrayList<>();
        ports.forEach(p -> out.add(p.get("bridge").asText() + "/" + p.get("name").asText()));
        return out;
    }

    private static List<String> lines(String text) {
        return List.of(text.strip().split("\n"));
    }
}

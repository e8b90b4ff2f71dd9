package io.switchd.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.api.client.ApiException;
import io.switchd.config.ConfigLoader;
import io.switchd.config.MirrorConfig;
import io.switchd.config.SavedState;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.Tcpdump;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port mirrors end to end over real interfaces, checked with tcpdump on the output as an operator
 * would: hosts h1, h2, h3 in namespaces behind veths (netdev ports), a monitoring namespace hm
 * behind the veth port pm, and a TAP port tm in this namespace that the config file's mirror
 * {@code keep} (h3's received frames) copies to. The hosts send test frames from raw sockets.
 */
class MirrorTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ID = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private static final long HM = 0x0200_0000_0bEEL;
    private static final List<Netns> NAMESPACES = new ArrayList<>();
    private static final List<String> LINKS = new ArrayList<>();
    private static final RawSocket[] HOSTS = new RawSocket[4];
    private static RawSocket monitor;
    private static Netns hm;
    private static Path dir;
    private static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        Netns.assumeAvailable("port mirrors", "tcpdump");
        dir = Files.createTempDirectory("switchd-mirror");
        try {
            for (int n = 1; n <= 4; n++) {
                Netns ns = Netns.create("switchd-mir-" + ID + "-" + (n == 4 ? "hm" : "h" + n));
                NAMESPACES.add(ns);
                String port = n == 4 ? pm() : port(n);
                LINKS.add(port);
                Netns.run("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
                Netns.run("ip", "link", "set", port, "up");
                ns.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(n == 4 ? HM : mac(n)));
                ns.exec("ip", "link", "set", "dev", "eth0", "up");
            }
            hm = NAMESPACES.get(3);
            daemon = TestDaemon.start(dir, bridges("300s"), null);
            tapUp();
            for (int n = 1; n <= 3; n++) {
                HOSTS[n] = RawSocket.open(NAMESPACES.get(n - 1), "eth0");
            }
            monitor = RawSocket.open(hm, "eth0");
            // every host known to the bridge, so that unicast between them is not flooded
            for (int n = 1; n <= 3; n++) {
                HOSTS[n].send(Frames.frame(Frames.BROADCAST, mac(n), Frames.token()));
            }
            for (int n = 1; n <= 3; n++) {
                int host = n;
                Await.until(WAIT, "h" + n + " learned", () -> fdbHas(mac(host)));
            }
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        for (RawSocket s : HOSTS) {
            if (s != null) {
                s.close();
            }
        }
        if (monitor != null) {
            monitor.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        for (String l : LINKS) {
            Netns.status("ip", "link", "del", l);
        }
        for (Netns ns : NAMESPACES) {
            ns.close();
        }
        if (dir != null) {
            Netns.status("rm", "-rf", dir.toString());
        }
    }

    /** Brings up the TAP switchd made, with no IPv6 of its own (its router solicitations would be dropped and counted). */
    private static void tapUp() {
        Netns.run("sysctl", "-qw", "net.ipv6.conf." + tm() + ".disable_ipv6=1");
        Netns.run("ip", "link", "set", tm(), "up");
        Await.until(WAIT, "the TAP port is up", () -> daemon.port("br0", tm()).get("state").asText().equals("up"));
    }

    private static String bridges(String ageing) {
        return "br0 { ageing-time = " + ageing + ", ports { " + port(1) + " { type = netdev }, " + port(2)
                + " { type = netdev }, " + port(3) + " { type = netdev }, " + pm() + " { type = netdev }, " + tm()
                + " { type = tap } }, mirrors { keep { select-ingress = [" + port(3) + "], output = " + tm() + " } } }";
    }

    private static String port(int n) {
        return "mr" + ID + "p" + n;
    }

    private static String pm() {
        return "mr" + ID + "pm";
    }

    private static String tm() {
        return "mr" + ID + "tm";
    }

    private static long mac(int n) {
        return 0x0200_0000_0b00L | n;
    }

    private static boolean fdbHas(long mac) {
        try {
            return daemon.client().call("GET", "/v1/bridges/br0/fdb?mac=" + MacAddress.format(mac), null).size() > 0;
        } catch (IOException | ApiException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends {@code count} test frames from h{@code from} to h{@code to} (tagged with {@code vlan} if not negative). */
    private static List<Long> send(int from, int to, int count, int vlan) {
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long t = Frames.token();
            tokens.add(t);
            HOSTS[from].send(vlan < 0 ? Frames.frame(mac(to), mac(from), t) : Frames.tagged(mac(to), mac(from), vlan, t));
        }
        return tokens;
    }

    /** Waits until h{@code n} has received every frame of {@code tokens}: the bridge has handled them all. */
    private static void received(int n, List<Long> tokens) {
        Set<Long> missing = new HashSet<>(tokens);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!missing.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "h" + n + " did not receive " + missing.size() + " frame(s)");
            byte[] f = HOSTS[n].take();
            if (f != null) {
                missing.remove(Frames.tokenOf(f));
            }
        }
    }

    private static void switchctl(String... args) {
        TestDaemon.CliResult r = daemon.switchctl(args);
        assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
    }

    private static JsonNode mirrors() throws IOException {
        TestDaemon.CliResult r = daemon.switchctl("mirror", "list", "-j");
        assertEquals(0, r.status(), r.err());
        return Json.mapper().readTree(r.out());
    }

    private static JsonNode mirror(String name) throws IOException {
        for (JsonNode m : mirrors()) {
            if (m.get("name").asText().equals(name)) {
                return m;
            }
        }
        return null;
    }

    private static long dropped(String port, String reason) {
        try {
            return daemon.client().call("GET", "/v1/bridges/br0/stats?port=" + port, null).get(0).get("drops")
                    .get(reason).asLong();
        } catch (IOException | ApiException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<Long> set(List<Long> a, List<Long> b) {
        Set<Long> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void anIngressSelectionToAVethCopiesExactlyWhatThePortReceivesUntilTheMirrorGoes() throws Exception {
        switchctl("mirror", "add", "br0", "in1", "--ingress", port(1), "--output", pm());
        try (Tcpdump dump = Tcpdump.start(hm, "eth0", dir.resolve("ingress.pcap"))) {
            List<Long> selected = send(1, 2, 5, -1);
            List<Long> toH1 = send(2, 1, 5, -1);
            List<Long> h3 = send(3, 2, 5, -1);
            received(2, set(selected, h3).stream().toList());
            received(1, toH1);
            dump.awaitTokens(5, WAIT);
            List<Long> seen = dump.tokens();
            assertEquals(5, seen.size(), "one copy each: " + seen);
            assertEquals(new HashSet<>(selected), new HashSet<>(seen));

            JsonNode m = mirror("in1");
            assertEquals("br0", m.get("bridge").asText());
            assertEquals(List.of(port(1)), Json.mapper().convertValue(m.get("select_ingress"), List.class));
            assertEquals(0, m.get("select_egress").size());
            assertEquals(0, m.get("select_vlans").size());
            assertEquals(pm(), m.get("output").asText());
            assertEquals(5, m.get("copies").asLong());
            assertEquals("in1", daemon.port("br0", pm()).get("mirror_output").asText());
            TestDaemon.CliResult list = daemon.switchctl("port", "list", "br0");
            assertTrue(list.out().contains("mirror-output=in1"), list.out());
            assertFalse(daemon.port("br0", port(1)).has("mirror_output"));

            switchctl("mirror", "del", "br0", "in1");
            assertEquals(null, mirror("in1"));
            received(2, send(1, 2, 5, -1));
            // the copies were written before h2 got its frames; none came after the deletion
            assertEquals(seen, dump.tokens());
        } finally {
            daemon.switchctl("mirror", "del", "br0", "in1");
        }
    }

    @Test
    void anEgressSelectionCopiesWhatIsSentToThePort() throws Exception {
        switchctl("mirror", "add", "br0", "eg1", "--egress", port(1), "--output", pm());
        try (Tcpdump dump = Tcpdump.start(hm, "eth0", dir.resolve("egress.pcap"))) {
            List<Long> fromH2 = send(2, 1, 5, -1);
            List<Long> fromH3 = send(3, 1, 5, -1);
            List<Long> fromH1 = send(1, 2, 5, -1);
            received(1, set(fromH2, fromH3).stream().toList());
            received(2, fromH1);
            dump.awaitTokens(10, WAIT);
            List<Long> seen = dump.tokens();
            assertEquals(10, seen.size(), seen.toString());
            assertEquals(set(fromH2, fromH3), new HashSet<>(seen));
            assertEquals(10, mirror("eg1").get("copies").asLong());
        } finally {
            switchctl("mirror", "del", "br0", "eg1");
        }
    }

    @Test
    void aVlanSelectionCopiesOnlyThatVlanWithItsTag() throws Exception {
        switchctl("mirror", "add", "br0", "v20", "--ingress", port(1), "--vlan", "20", "--output", pm());
        try (Tcpdump dump = Tcpdump.start(hm, "eth0", dir.resolve("vlan.pcap"))) {
            List<Long> ten = send(1, 2, 4, 10);
            List<Long> twenty = send(1, 2, 4, 20);
            received(2, set(ten, twenty).stream().toList());
            dump.awaitTokens(4, WAIT);
            assertEquals(new HashSet<>(twenty), new HashSet<>(dump.tokens()));
            assertEquals(4, dump.tokens().size());
            for (byte[] f : dump.frames()) {
                if (Frames.tokenOf(f) != 0) {
                    assertEquals(20, Frames.vlanOf(f), "the output (a transparent port) has the frame tagged");
                }
            }
            JsonNode m = mirror("v20");
            assertEquals(List.of(20), Json.mapper().convertValue(m.get("select_vlans"), List.class));
        } finally {
            switchctl("mirror", "del", "br0", "v20");
        }
    }

    @Test
    void aTapOutputSeesExactlyTheSelectedFrames() throws Exception {
        try (Tcpdump dump = Tcpdump.start(null, tm(), dir.resolve("tap.pcap"))) {
            List<Long> fromH3 = send(3, 2, 5, -1);
            List<Long> toH3 = send(2, 3, 5, -1);
            received(2, fromH3);
            received(3, toH3);
            dump.awaitTokens(5, WAIT);
            assertEquals(5, dump.tokens().size(), dump.tokens().toString());
            assertEquals(new HashSet<>(fromH3), new HashSet<>(dump.tokens()));
        }
    }

    @Test
    void theOutputNeverForwardsLearnsNothingAndCountsWhatItDrops() throws Exception {
        switchctl("mirror", "add", "br0", "o1", "--ingress", port(2), "--output", pm());
        try {
            long before = dropped(pm(), "mirror-output");
            Set<Long> sent = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                long b = Frames.token();
                long u = Frames.token();
                sent.add(b);
                sent.add(u);
                monitor.send(Frames.frame(Frames.BROADCAST, HM, b));
                monitor.send(Frames.frame(mac(1), HM, u));
            }
            Await.equals(before + 10, WAIT, "pm's mirror-output drops", () -> dropped(pm(), "mirror-output"));
            // a frame h2 sends after them arrives; none of the monitor's did
            List<Long> after = send(2, 1, 1, -1);
            List<Long> gotH1 = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!gotH1.contains(after.get(0))) {
                assertTrue(System.nanoTime() < deadline, "h1 did not receive h2's frame");
                byte[] f = HOSTS[1].take();
                if (f != null) {
                    gotH1.add(Frames.tokenOf(f));
                }
            }
            for (int n = 2; n <= 3; n++) {
                for (byte[] f; (f = HOSTS[n].take()) != null; ) {
                    gotH1.add(Frames.tokenOf(f));
                }
            }
            gotH1.retainAll(sent);
            assertEquals(List.of(), gotH1, "frames from the output reached a host");
            assertFalse(fdbHas(HM), "the output learned its host");
        } finally {
            switchctl("mirror", "del", "br0", "o1");
        }
    }

    @Test
    void aReloadKeepsAnUnchangedMirrorRunningWithItsCount() throws Exception {
        received(2, send(3, 2, 3, -1));
        Await.until(WAIT, "keep copied h3's frames", () -> {
            try {
                return mirror("keep").get("copies").asLong() >= 3;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        long copies = mirror("keep").get("copies").asLong();
        daemon.rewriteConfig(bridges("200s"));
        try {
            TestDaemon.CliResult r = daemon.switchctl("reload");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("changed bridge br0: ageing-time 300s -> 200s"), r.out());
            assertFalse(r.out().contains("mirror"), r.out());
            assertEquals(copies, mirror("keep").get("copies").asLong(), "the count goes on from where it was");
            received(2, send(3, 2, 2, -1));
            Await.equals(copies + 2, WAIT, "keep's copies after the reload", () -> {
                try {
                    return mirror("keep").get("copies").asLong();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            String metrics = daemon.client().text("/metrics");
            assertTrue(metrics.contains("switchd_mirror_copies_total{bridge=\"br0\",mirror=\"keep\"}"), metrics);
        } finally {
            daemon.rewriteConfig(bridges("300s"));
            daemon.switchctl("reload");
        }
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() throws Exception {
        JsonNode before = mirrors();
        Map<String, Object> good = Map.of("name", "x1", "select_ingress", List.of(port(1)), "output", pm());
        assertEquals(404, refused("/v1/bridges/nope/mirrors", good));
        assertEquals(400, refused("/v1/bridges/br0/mirrors", Map.of("name", "x1", "select_ingress", List.of("nope"),
                "output", pm())));
        assertEquals(400, refused("/v1/bridges/br0/mirrors", Map.of("name", "x1", "select_ingress", List.of(port(1)),
                "output", "nope")));
        assertEquals(400, refused("/v1/bridges/br0/mirrors", Map.of("name", "x1", "select_ingress", List.of(port(1)),
                "select_egress", List.of(pm()), "output", pm())));
        assertEquals(400, refused("/v1/bridges/br0/mirrors", Map.of("name", "x1", "select_ingress", List.of(port(1)))));
        assertEquals(400, refused("/v1/bridges/br0/mirrors", Map.of("name", "x1", "select_ingress", List.of(port(1)),
                "select_vlans", List.of(4095), "output", pm())));
        assertEquals(400, refused("/v1/bridges/br0/mirrors", Map.of("name", "x1", "select_ingress", List.of(port(1)),
                "output", tm())), "tm is keep's output already");
        assertEquals(409, refused("/v1/bridges/br0/mirrors", Map.of("name", "keep", "select_ingress", List.of(port(1)),
                "output", pm())));
        assertEquals(409, status("DELETE", "/v1/bridges/br0/mirrors/keep"), "declared in the config file");
        assertEquals(404, status("DELETE", "/v1/bridges/br0/mirrors/nope"));
        TestDaemon.CliResult r = daemon.switchctl("mirror", "add", "br0", "x1", "--ingress", pm(), "--output", pm());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("cannot be selected"), r.err());
        assertEquals(names(before), names(mirrors()));
        assertEquals(1, mirrors().size());
    }

    @Test
    void aMirrorAddedThroughTheApiIsInTheStateFileAndSurvivesARestart() throws Exception {
        switchctl("mirror", "add", "br0", "saved", "--ingress", port(1), "--egress", port(2), "--vlan", "7",
                "--output", pm());
        try {
            SavedState state = ConfigLoader.loadState(daemon.stateFile());
            MirrorConfig expected = new MirrorConfig("saved", List.of(port(1)), List.of(port(2)), List.of(7), pm());
            assertTrue(state.bridges().get(0).mirrors().contains(expected), state.bridges().toString());

            daemon.close();
            daemon = TestDaemon.start(dir, bridges("300s"), null);
            tapUp();
            JsonNode m = mirror("saved");
            assertTrue(m != null, mirrors().toString());
            assertEquals(List.of(7), Json.mapper().convertValue(m.get("select_vlans"), List.class));
            assertEquals(pm(), m.get("output").asText());
            // it runs: h1's frames in VLAN 7 are copied, the others not
            received(2, send(1, 2, 3, 7));
            received(2, send(1, 2, 2, -1));
            Await.equals(3, WAIT, "the restored mirror's copies", () -> {
                try {
                    return mirror("saved").get("copies").asLong();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            switchctl("mirror", "del", "br0", "saved");
        }
        assertEquals(List.of("keep"), ConfigLoader.loadState(daemon.stateFile()).bridges().get(0).mirrors().stream()
                .map(MirrorConfig::name).toList());
    }

    @Test
    void aDeletedPortLeavesTheMirrorsThatNameIt() throws Exception {
        String x = "mr" + ID + "x";
        Netns.run("ip", "link", "add", x, "type", "veth", "peer", "name", "mr" + ID + "y");
        LINKS.add(x);
        switchctl("port", "add", "br0", x);
        try {
            switchctl("mirror", "add", "br0", "toX", "--ingress", port(1), "--output", x);
            switchctl("mirror", "add", "br0", "fromX", "--ingress", x, "--ingress", port(2), "--output", pm());
            switchctl("port", "del", "br0", x);
            assertEquals(null, mirror("toX"), "its output went");
            assertEquals(List.of(port(2)), Json.mapper().convertValue(mirror("fromX").get("select_ingress"), List.class));
            assertFalse(ConfigLoader.loadState(daemon.stateFile()).bridges().get(0).mirrors().stream()
                    .anyMatch(m -> m.ports().contains(x)), "the state file names no deleted port");
        } finally {
            daemon.switchctl("mirror", "del", "br0", "toX");
            daemon.switchctl("mirror", "del", "br0", "fromX");
            daemon.switchctl("port", "del", "br0", x);
            Netns.status("ip", "link", "del", x);
        }
    }

    @Test
    void aMirrorFollowsAPortWhoseInterfaceIsRenamed() throws Exception {
        String x = "mr" + ID + "rx";
        String z = "mr" + ID + "rz";
        Netns.run("ip", "link", "add", x, "type", "veth", "peer", "name", "mr" + ID + "ry");
        LINKS.add(x);
        LINKS.add(z);
        switchctl("port", "add", "br0", x);
        try {
            switchctl("mirror", "add", "br0", "rn", "--ingress", x, "--output", pm());
            Netns.run("ip", "link", "set", x, "name", z);
            Await.until(WAIT, "the mirror names the port by its new name", () -> {
                try {
                    return mirror("rn").get("select_ingress").get(0).asText().equals(z);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            daemon.switchctl("mirror", "del", "br0", "rn");
            daemon.switchctl("port", "del", "br0", z);
            daemon.switchctl("port", "del", "br0", x);
            Netns.status("ip", "link", "del", z);
            Netns.status("ip", "link", "del", x);
        }
    }

    private static List<String> names(JsonNode mirrors) {
        List<String> out = new ArrayList<>();
        mirrors.forEach(m -> out.add(m.get("bridge").asText() + "/" + m.get("name").asText() + " "
                + m.get("output").asText()));
        return out;
    }

    private static int refused(String path, Object body) throws IOException {
        try {
            daemon.client().call("POST", path, body);
            throw new AssertionError("accepted: POST " + path + " " + body);
        } catch (ApiException e) {
            assertFalse(e.getMessage().isBlank());
            return e.status();
        }
    }

    private static int status(String method, String path) throws IOException {
        try {
            daemon.client().call(method, path, null);
            return 200;
        } catch (ApiException e) {
            return e.status();
        }
    }
}

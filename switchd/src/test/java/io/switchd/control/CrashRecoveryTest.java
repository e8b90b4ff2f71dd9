package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.client.SwitchdClient;
import io.switchd.frame.MacAddress;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.DaemonProcess;
import io.switchd.testing.Netns;
import io.switchd.testing.NotifySocket;
import io.switchd.testing.UdpEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 at any moment, then a start: what the API acknowledged is back, and traffic with it. */
class CrashRecoveryTest {
    private static final Duration START = Duration.ofSeconds(30);
    /** How soon after READY=1 a stream that ran through the killed daemon must get replies again. */
    private static final Duration RESUME = Duration.ofSeconds(2);
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void killNineThenStartGivesBackBridgesPortsAndStaticEntries(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String configured = "sw" + id + "k";
        String added = "sw" + id + "m";
        Path config = config(dir, "bridges.br0.ports { " + configured + " { type = tap } }");
        SwitchdClient client = new SwitchdClient(dir.resolve("s.sock"));
        DaemonProcess p = daemon(dir, config, "first.log").start().awaitServing(START);
        try {
            client.call("POST", "/v1/bridges", Map.of("name", "br1"));
            client.call("POST", "/v1/bridges/br1/ports", Map.of("name", added, "type", "tap"));
            client.call("POST", "/v1/bridges/br1/fdb", Map.of("mac", "02:00:00:00:00:42", "port", added, "vlan", 7));
            client.call("PATCH", "/v1/bridges/br0/ports/" + configured, Map.of("admin", "down"));
            p.kill();

            p = daemon(dir, config, "second.log").start().awaitServing(START);
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
            p.close();
            deleteLinks(configured, added);
        }
    }

    /**
     * A UDP echo stream between two namespaces runs across the switch (two veths, one from the
     * config file, one added through the API) when it is killed; the next start gives back the
     * port, its settings and a static entry, and replies come again within 2 s of READY=1.
     */
    @Test
    void killNineUnderTrafficThenStartResumesTrafficWithinTwoSecondsOfReady(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String configured = "sw" + id + "x";
        String added = "sw" + id + "y";
        String mac2 = MacAddress.format(0x0200_0000_0B02L);
        Path config = config(dir, "bridges.br0.ports { " + configured + " { type = netdev } }");
        SwitchdClient client = new SwitchdClient(dir.resolve("s.sock"));
        DaemonProcess p = null;
        try (Netns ns1 = Netns.create("switchd-test-" + id + "-k1");
             Netns ns2 = Netns.create("switchd-test-" + id + "-k2");
             NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            host(ns1, configured, "02:00:00:00:0b:01", "10.79.0.1");
            host(ns2, added, mac2, "10.79.0.2");
            p = daemon(dir, config, "first.log").notifySocket(notify.path()).start().awaitServing(START);
            client.call("POST", "/v1/bridges/br0/ports", Map.of("name", added, "type", "netdev"));
            client.call("PATCH", "/v1/bridges/br0/ports/" + added, Map.of("mac_limit", 16, "storm_broadcast", 500));
            client.call("POST", "/v1/bridges/br0/fdb", Map.of("mac", mac2, "port", added));

            try (UdpEcho echo = UdpEcho.start(ns1, ns2, "10.79.0.2", Duration.ofMillis(10))) {
                Await.until(START, "echo replies through the first daemon", () -> echo.replies() >= 20);
                p.kill();
                while (notify.next(Duration.ZERO) != null) {
                    // the first daemon's messages
                }

                p = daemon(dir, config, "second.log").notifySocket(notify.path()).start();
                p.awaitNotify(notify, "READY=1", START);
                long readyAt = System.nanoTime(); // the notify socket is polled every millisecond
                Await.until(START, "an echo reply after the restart", () -> echo.firstReplyAfter(readyAt) >= 0);
                long millis = (echo.firstReplyAfter(readyAt) - readyAt) / 1_000_000;
                System.out.println("CrashRecoveryTest: first echo reply " + millis + " ms after READY=1");
                assertTrue(millis <= RESUME.toMillis(), "the first reply came " + millis + " ms after READY=1");
            }

            JsonNode port = client.call("GET", "/v1/bridges/br0/ports/" + added, null);
            assertEquals("up", port.get("state").asText(), port.toString());
            assertEquals(16, port.get("mac_limit").asInt(), port.toString());
            assertEquals(500, port.get("storm_control").get("broadcast").asLong(), port.toString());
            assertEquals("up", client.call("GET", "/v1/bridges/br0/ports/" + configured, null).get("state").asText());
            JsonNode fdb = client.call("GET", "/v1/bridges/br0/fdb?mac=" + mac2, null);
            assertEquals(1, fdb.size(), fdb.toString());
            assertEquals("static", fdb.get(0).get("type").asText(), fdb.toString());
            assertEquals(added, fdb.get(0).get("port").asText(), fdb.toString());
        } finally {
            if (p != null) {
                p.close();
            }
            deleteLinks(configured, added);
        }
    }

    private static Path config(Path dir, String bridges) throws Exception {
        Path config = dir.resolve("switchd.conf");
        Files.writeString(config, "switchd {\n control { socket = \"" + dir.resolve("s.sock") + "\", group = \"\" }\n"
                + " metrics.listen = \"\"\n state-file = \"" + dir.resolve("state.conf") + "\"\n " + bridges + "\n}\n");
        return config;
    }

    private static DaemonProcess.Builder daemon(Path dir, Path config, String log) {
        return DaemonProcess.builder(config, dir.resolve("s.sock"), dir.resolve(log));
    }

    /** A veth whose switch end {@code link} stays here and whose other end is eth0 in {@code ns}. */
    private static void host(Netns ns, String link, String mac, String address) {
        Netns.run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        ns.exec("ip", "link", "set", "dev", "eth0", "address", mac);
        ns.exec("ip", "addr", "add", address + "/24", "dev", "eth0");
        ns.exec("ip", "link", "set", "dev", "eth0", "up");
    }

    private static void deleteLinks(String... names) {
        for (String name : names) {
            if (Interfaces.exists(name)) {
                Netns.status("ip", "link", "del", name);
            }
        }
    }
}

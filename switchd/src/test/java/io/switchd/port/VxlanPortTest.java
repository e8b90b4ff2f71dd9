package io.switchd.port;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.metrics.SwitchdMetrics;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.LogRecords;
import io.switchd.testing.NamespaceTcp;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vxlan port against a host that runs no switchd, only the Linux kernel's own VXLAN: switchd's
 * bridge (in this namespace, as the test daemon runs in the test's JVM) has a vxlan port and a veth
 * to host namespace A; host B is a namespace with a kernel vxlan device and bridge, a flood entry to
 * us, and a veth to host namespace B behind it. The two hosts ping and move 16 MB over TCP each way
 * with the veths' offloads on, and the device switchd made is the one asked for.
 *
 * <pre>
 *  hA ns ─veth─ [switchd br0: hvXa + vxXa (local 10.x.y.1)] ─underlay veth─ [nsB: vxXb ─ kernel brX] ─veth─ hB ns
 * </pre>
 */
class VxlanPortTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int TRANSFER_BYTES = 16 << 20;
    /** Hosts behind the overlay: the underlay's 1500 less VXLAN's 50, as the README advises. */
    private static final String HOST_MTU = "1450";
    private final ThreadLocalRandom random = ThreadLocalRandom.current();
    private final String id = String.format(Locale.ROOT, "%04x", random.nextInt(0x10000));
    private final String net = "10." + (100 + random.nextInt(150)) + "." + random.nextInt(256) + ".";
    private final int vni = 100_000 + random.nextInt(1_000_000);

    @Test
    void switchdAndAKernelOnlyHostShareASegment(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        try (Segment seg = new Segment()) {
            try (LogRecords logs = LogRecords.capture();
                 TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { " + seg.hostVeth + " {} } }", null)) {
                seg.addPort(daemon);
                assertFalse(logs.at(Level.WARNING, "port " + seg.hostVeth + "'s mtu 1500 is larger than vxlan port "
                        + seg.vxlanA + "'s 1450").isEmpty(), "the larger MTU is warned of: " + logs.at(Level.WARNING));

                ping(seg.hostA, "192.168.77.2");
                ping(seg.hostB, "192.168.77.1");
                // hB's MAC, learned on the vxlan port, is behind nsB's underlay address (its VTEP)
                String macB = Json.mapper().readTree(seg.hostB.exec("ip", "-j", "link", "show", "hw" + id + "b"))
                        .get(0).get("address").asText();
                JsonNode entries = Json.mapper().readTree(daemon.switchctl("-j", "fdb", "show", "br0", "--mac", macB).out());
                assertEquals(1, entries.size(), entries.toString());
                assertEquals(seg.vxlanA, entries.get(0).get("port").asText(), entries.toString());
                assertEquals(seg.localB, entries.get(0).path("remote").asText(), "hB's VTEP: " + entries);
                String macA = Json.mapper().readTree(seg.hostA.exec("ip", "-j", "link", "show", "hv" + id + "b"))
                        .get(0).get("address").asText();
                JsonNode local = Json.mapper().readTree(daemon.switchctl("-j", "fdb", "show", "br0", "--mac", macA).out());
                assertFalse(local.get(0).has("remote"), "a MAC behind a veth has no remote: " + local);
                assertTrue(daemon.switchctl("fdb", "show", "br0").out().contains(seg.localB), "the table shows the remote");
                NamespaceTcp.transfer(seg.hostA, seg.hostB, "192.168.77.2", TRANSFER_BYTES);
                NamespaceTcp.transfer(seg.hostB, seg.hostA, "192.168.77.1", TRANSFER_BYTES);

                JsonNode port = null;
                for (JsonNode p : Json.mapper().readTree(daemon.switchctl("-j", "port", "list", "br0").out())) {
                    if (p.get("name").asText().equals(seg.vxlanA)) {
                        port = p;
                    }
                }
                assertTrue(port != null, "port list shows " + seg.vxlanA);
                assertEquals("vxlan", port.get("type").asText());
                assertEquals(vni, port.get("vni").asInt());
                assertEquals(seg.localA, port.get("local").asText());
                assertEquals(1, port.get("remotes").size(), port.toString());
                assertEquals(seg.localB, port.get("remotes").get(0).get("address").asText());
                assertEquals("static", port.get("remotes").get(0).get("source").asText());
                assertEquals(1450, port.get("mtu").asInt());
                assertFalse(daemon.port("br0", seg.hostVeth).has("vni"), "a netdev port shows no vxlan fields");

                JsonNode link = Json.mapper().readTree(Netns.run("ip", "-d", "-j", "link", "show", seg.vxlanA)).get(0);
                assertEquals(1450, link.get("mtu").asInt(), link.toString());
                JsonNode info = link.get("linkinfo");
                assertEquals("vxlan", info.get("info_kind").asText());
                assertEquals(vni, info.get("info_data").get("id").asInt());
                assertEquals(seg.localA, info.get("info_data").get("local").asText());
                assertEquals(4789, info.get("info_data").get("port").asInt());
                assertTrue(info.get("info_data").get("learning").asBoolean(), "the device learns: " + info);
                JsonNode fdb = Json.mapper().readTree(Netns.run("bridge", "-j", "fdb", "show", "dev", seg.vxlanA));
                boolean flood = false;
                for (JsonNode e : fdb) {
                    flood |= e.get("mac").asText().equals("00:00:00:00:00:00") && e.has("dst")
                            && e.get("dst").asText().equals(seg.localB);
                }
                assertTrue(flood, "the flood entry to " + seg.localB + ": " + fdb);

                TestDaemon.CliResult deleted = daemon.switchctl("port", "del", "br0", seg.vxlanA);
                assertEquals(0, deleted.status(), deleted.err());
                Await.until(WAIT, "the vxlan device goes with its port", () -> !Interfaces.exists(seg.vxlanA));
            }
        }
    }

    /**
     * A host at MTU 1500 behind switchd sends full-size pings with DF set to the kernel-only host
     * across a vxlan port of MTU 1450: each is dropped and counted as {@code oversize} on the vxlan
     * port, not lost without a trace (nor counted as an egress error), and smaller pings still cross.
     */
    @Test
    void aFrameTooBigForTheOverlayIsCountedOversizeOnTheVxlanPort(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        int sent = 3;
        try (Segment seg = new Segment();
             TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { " + seg.hostVeth + " {} } }", null)) {
            seg.addPort(daemon);
            ping(seg.hostA, "192.168.77.2"); // both MACs learned: the big pings go out of the vxlan port alone
            seg.hostA.exec("ip", "link", "set", "hv" + id + "b", "mtu", "1500");
            long oversize = drops(daemon, seg.vxlanA, "oversize");
            long errors = drops(daemon, seg.vxlanA, "egress-error");
            // 1472 bytes of ICMP data make a 1500-byte IP packet, 50 more than the overlay's 1450
            assertTrue(seg.hostA.execStatus("ping", "-c", Integer.toString(sent), "-i", "0.2", "-W", "1", "-M", "do",
                    "-s", "1472", "192.168.77.2") != 0, "a 1500-byte packet crossed a 1450 overlay");
            Await.equals(oversize + sent, WAIT, "oversize drops on " + seg.vxlanA,
                    () -> drops(daemon, seg.vxlanA, "oversize"));
            assertEquals(errors, drops(daemon, seg.vxlanA, "egress-error"), "counted as an egress error too");
            assertEquals(0, seg.hostA.execStatus("ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1422",
                    "192.168.77.2"), "a packet of the overlay's MTU crosses");
        }
    }

    /**
     * hA (a veth to switchd's bridge here) and hB behind nsB, a kernel-only VXLAN host on an
     * underlay veth with us; {@link #addPort} adds the vxlan port to a daemon. Everything it made
     * goes on close, whatever failed.
     */
    private final class Segment implements AutoCloseable {
        final String underlayA = "vu" + id + "a";
        final String vxlanA = "vx" + id + "a";
        final String hostVeth = "hv" + id + "a";
        final String localA = net + "1";
        final String localB = net + "2";
        final List<Netns> namespaces = new ArrayList<>();
        Netns nsB;
        Netns hostA;
        Netns hostB;

        Segment() {
            try {
                build();
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        private void build() {
            nsB = Netns.create("vxb" + id);
            namespaces.add(nsB);
            hostA = Netns.create("vha" + id);
            namespaces.add(hostA);
            hostB = Netns.create("vhb" + id);
            namespaces.add(hostB);

            // the underlay: our end here, B's in its namespace
            Netns.run("ip", "link", "add", underlayA, "type", "veth", "peer", "name", "vu" + id + "b");
            Netns.run("ip", "link", "set", "vu" + id + "b", "netns", nsB.name());
            Netns.run("ip", "addr", "add", localA + "/24", "dev", underlayA);
            Netns.run("ip", "link", "set", underlayA, "up");
            nsB.exec("ip", "addr", "add", localB + "/24", "dev", "vu" + id + "b");
            nsB.exec("ip", "link", "set", "vu" + id + "b", "up");

            // host B: the kernel's vxlan device and bridge only, flooding to us
            nsB.exec("ip", "link", "add", "vx" + id + "b", "type", "vxlan", "id", Integer.toString(vni),
                    "local", localB, "dstport", "4789");
            nsB.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx" + id + "b", "dst", localA);
            nsB.exec("ip", "link", "add", "br" + id, "type", "bridge");
            nsB.exec("ip", "link", "set", "vx" + id + "b", "master", "br" + id);
            nsB.exec("ip", "link", "add", "hw" + id + "a", "type", "veth", "peer", "name", "hw" + id + "b");
            nsB.exec("ip", "link", "set", "hw" + id + "a", "master", "br" + id);
            nsB.exec("ip", "link", "set", "hw" + id + "b", "netns", hostB.name());
            for (String dev : List.of("vx" + id + "b", "br" + id, "hw" + id + "a")) {
                nsB.exec("ip", "link", "set", dev, "up");
            }
            hostB.exec("ip", "link", "set", "hw" + id + "b", "mtu", HOST_MTU, "up");
            hostB.exec("ip", "addr", "add", "192.168.77.2/24", "dev", "hw" + id + "b");

            // host A: a veth to switchd's bridge (its switch end at 1500, more than the overlay takes)
            Netns.run("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "hv" + id + "b");
            Netns.run("ip", "link", "set", "hv" + id + "b", "netns", hostA.name());
            hostA.exec("ip", "link", "set", "hv" + id + "b", "mtu", HOST_MTU, "up");
            hostA.exec("ip", "addr", "add", "192.168.77.1/24", "dev", "hv" + id + "b");
        }

        /** Adds the vxlan port to B with switchctl, as an operator would. */
        void addPort(TestDaemon daemon, String... extra) {
            List<String> args = new ArrayList<>(List.of("port", "add", "br0", vxlanA, "--type", "vxlan",
                    "--vni", Integer.toString(vni), "--local", localA, "--remote", localB));
            args.addAll(List.of(extra));
            TestDaemon.CliResult added = daemon.switchctl(args.toArray(new String[0]));
            assertEquals(0, added.status(), added.err());
        }

        @Override
        public void close() {
            Netns.status("ip", "link", "del", vxlanA);
            Netns.status("ip", "link", "del", hostVeth);
            Netns.status("ip", "link", "del", underlayA);
            for (Netns ns : namespaces) {
                ns.close();
            }
        }
    }

    /** switchd_vxlan_peers of a port of br0, source static, as a scrape shows it. */
    private static double staticPeers(TestDaemon daemon, String port) {
        try (SwitchdMetrics metrics = new SwitchdMetrics(daemon.daemon().switchd(), 10)) {
            return PrometheusText.value(metrics.scrape(), "switchd_vxlan_peers{bridge=\"br0\",port=\"" + port
                    + "\",source=\"static\"}");
        }
    }

    /** A port's drop count for {@code reason}, as the API's stats show it. */
    private static long drops(TestDaemon daemon, String port, String reason) {
        try {
            JsonNode s = daemon.client().call("GET", "/v1/bridges/br0/stats?port=" + port, null).get(0);
            return s.get("drops").path(reason).asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The device's life follows the port's: a config port's device made at start with its flood
     * list, made again when someone deletes it, gone when a reload drops the port; an API port's
     * device kept across a restart through the state file (non-default dstport and ttl included),
     * and gone while switchd is stopped. The ttl and tos asked for are the device's.
     */
    @Test
    void theDeviceLivesAndDiesWithItsPort(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String underlay = "vu" + id + "c";
        String declared = "vx" + id + "c";
        String added = "vx" + id + "d";
        String foreign = "vx" + id + "g";
        String localA = net + "1";
        String declaredPort = declared + " { type = vxlan, vni = " + vni + ", local = \"" + localA + "\", remotes = [\""
                + net + "2\", \"" + net + "3\"], ttl = 17, tos = 40 }";
        try {
            Netns.run("ip", "link", "add", underlay, "type", "veth", "peer", "name", "vu" + id + "e");
            Netns.run("ip", "link", "set", underlay, "mtu", "9000", "up");
            Netns.run("ip", "addr", "add", localA + "/24", "dev", underlay);
            try (TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { " + declaredPort + " } }", null)) {
                assertEquals(8950, deviceMtu(declared), "the underlay's MTU less 50");
                assertEquals(List.of(net + "2", net + "3"), floodList(declared));
                JsonNode data = deviceData(declared);
                assertEquals(17, data.get("ttl").asInt(), data.toString());
                assertEquals("0x28", data.get("tos").asText(), data.toString());
                assertEquals(17, daemon.port("br0", declared).get("ttl").asInt());
                assertEquals(2.0, staticPeers(daemon, declared), "the metrics count the port's remotes");
                assertEquals(40, daemon.port("br0", declared).get("tos").asInt());

                Netns.run("ip", "link", "del", declared);
                Await.until(WAIT, "the deleted device is made again", () -> Interfaces.exists(declared)
                        && "up".equals(daemon.port("br0", declared).get("state").asText()));
                assertEquals(List.of(net + "2", net + "3"), floodList(declared), "with its flood list");

                TestDaemon.CliResult r = daemon.switchctl("port", "add", "br0", added, "--type", "vxlan", "--vni",
                        Integer.toString(vni + 1), "--local", localA, "--remote", net + "4", "--dstport", "4790",
                        "--ttl", "9");
                assertEquals(0, r.status(), r.err());
                assertEquals(9, deviceData(added).get("ttl").asInt(), "--ttl reaches the device");
                assertFalse(deviceData(added).has("tos"), "no --tos: the kernel's default");
                assertFalse(daemon.port("br0", added).has("tos"), "no --tos: not shown");
                assertEquals(1.0, staticPeers(daemon, added));
                assertEquals(4790, Json.mapper().readTree(Netns.run("ip", "-d", "-j", "link", "show", added)).get(0)
                        .get("linkinfo").get("info_data").get("port").asInt());

                // the kernel refuses a second device on a VNI someone else's device has: said with its errno
                Netns.run("ip", "link", "add", foreign, "type", "vxlan", "id", Integer.toString(vni + 2), "local",
                        localA, "dstport", "4789");
                TestDaemon.CliResult refused = daemon.switchctl("port", "add", "br0", "vx" + id + "f", "--type",
                        "vxlan", "--vni", Integer.toString(vni + 2), "--local", localA);
                assertEquals(1, refused.status(), refused.out());
                assertTrue(refused.err().contains("creating vxlan device vx" + id + "f (vni " + (vni + 2))
                        && refused.err().contains("(errno 17)"), refused.err());
                assertFalse(Interfaces.exists("vx" + id + "f"), "nothing is left of the refused port");
            }
            assertFalse(Interfaces.exists(declared), "switchd stopped: its devices are gone");
            assertFalse(Interfaces.exists(added), "switchd stopped: its devices are gone");

            try (TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { " + declaredPort + " } }", null)) {
                JsonNode port = daemon.port("br0", added);
                assertTrue(port != null, "the API's vxlan port is back from the state file");
                assertEquals(vni + 1, port.get("vni").asInt());
                assertEquals(net + "4", port.get("remotes").get(0).get("address").asText());
                assertEquals(4790, Json.mapper().readTree(Netns.run("ip", "-d", "-j", "link", "show", added)).get(0)
                        .get("linkinfo").get("info_data").get("port").asInt());
                assertEquals(List.of(net + "4"), floodList(added));
                assertEquals(9, port.get("ttl").asInt(), "the ttl is back from the state file");
                assertEquals(9, deviceData(added).get("ttl").asInt());

                daemon.rewriteConfig("br0 { ports { } }");
                TestDaemon.CliResult reload = daemon.switchctl("reload");
                assertEquals(0, reload.status(), reload.err());
                Await.until(WAIT, "the device of the port the reload dropped goes", () -> !Interfaces.exists(declared));
                assertTrue(Interfaces.exists(added), "the API's port stays");
            }
        } finally {
            Netns.status("ip", "link", "del", declared);
            Netns.status("ip", "link", "del", added);
            Netns.status("ip", "link", "del", foreign);
            Netns.status("ip", "link", "del", underlay);
        }
    }

    /**
     * A vxlan port whose local address no interface holds yet starts absent, with the rest of the
     * switch, and comes up once the address is there: switchd keeps trying to make its device.
     */
    @Test
    void aPortWaitingForItsLocalAddressComesUpWhenItIsThere(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String underlay = "vu" + id + "h";
        String port = "vx" + id + "h";
        String localA = net + "1";
        try (LogRecords logs = LogRecords.capture();
             TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { " + port + " { type = vxlan, vni = " + vni
                     + ", local = \"" + localA + "\" } } }", null)) {
            assertEquals("absent", daemon.port("br0", port).get("state").asText());
            assertFalse(logs.at(Level.WARNING, "no interface holds local address " + localA).isEmpty(),
                    "says why: " + logs.at(Level.WARNING));
            assertFalse(Interfaces.exists(port));

            Netns.run("ip", "link", "add", underlay, "type", "veth", "peer", "name", "vu" + id + "i");
            Netns.run("ip", "link", "set", underlay, "up");
            Netns.run("ip", "addr", "add", localA + "/24", "dev", underlay);
            Await.until(WAIT, "the port comes up once its local address is there",
                    () -> "up".equals(daemon.port("br0", port).get("state").asText()));
            assertEquals(vni, Json.mapper().readTree(Netns.run("ip", "-d", "-j", "link", "show", port)).get(0)
                    .get("linkinfo").get("info_data").get("id").asInt());
        } finally {
            Netns.status("ip", "link", "del", port);
            Netns.status("ip", "link", "del", underlay);
        }
    }

    /** What {@code ip -d link show} says of vxlan device {@code name}'s settings (id, ttl, tos, ...). */
    private static JsonNode deviceData(String name) throws Exception {
        return Json.mapper().readTree(Netns.run("ip", "-d", "-j", "link", "show", name)).get(0).get("linkinfo")
                .get("info_data");
    }

    private static int deviceMtu(String name) throws Exception {
        return Json.mapper().readTree(Netns.run("ip", "-j", "link", "show", name)).get(0).get("mtu").asInt();
    }

    /** The destinations of the all-zero (flood) entries of vxlan device {@code name}, in the kernel's order. */
    private static List<String> floodList(String name) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : Json.mapper().readTree(Netns.run("bridge", "-j", "fdb", "show", "dev", name))) {
            if (e.get("mac").asText().equals("00:00:00:00:00:00") && e.has("dst")) {
                out.add(e.get("dst").asText());
            }
        }
        return out;
    }

    /** Pings {@code ip} from {@code from} until it answers, within {@link #WAIT}. */
    private static void ping(Netns from, String ip) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (from.execStatus("ping", "-c", "1", "-W", "1", ip) != 0) {
            assertTrue(System.nanoTime() < deadline, from.name() + " cannot ping " + ip);
        }
    }
}

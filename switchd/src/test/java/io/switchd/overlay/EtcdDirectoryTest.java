package io.switchd.overlay;

import io.switchd.testing.Await;
import io.switchd.testing.EtcdServer;
import io.switchd.testing.NamespaceTcp;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.TestDaemon;
import io.switchd.testing.Tcpdump;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchd hosts that know each other only through the etcd directory (no remotes anywhere), each
 * its own switchd process in its own namespace (see {@link OverlayFabric}).
 */
class EtcdDirectoryTest {
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static void assumeEtcd() {
        Netns.assumeAvailable();
        Assumptions.assumeTrue(EtcdServer.available() || Netns.required(), "needs etcd-server");
    }

    /**
     * Three hosts find each other and every pair pings; a fourth joins and is reachable without
     * anything done to the other three; a host killed with -9 is gone from the others within the
     * lease; the port list names each directory peer with source etcd. 16 MB of TCP crosses with
     * offloads on.
     */
    @Test
    void hostsFindEachOtherThroughTheDirectoryAndADeadOneGoes(@TempDir Path dir) throws Exception {
        assumeEtcd();
        try (OverlayFabric f = new OverlayFabric(dir, LEASE)) {
            for (int i = 1; i <= 3; i++) {
                f.add(i);
            }
            f.host(1).awaitPeers(WAIT, f.vtep(2), f.vtep(3));
            f.host(2).awaitPeers(WAIT, f.vtep(1), f.vtep(3));
            f.host(3).awaitPeers(WAIT, f.vtep(1), f.vtep(2));
            for (int a = 1; a <= 3; a++) {
                for (int b = 1; b <= 3; b++) {
                    if (a != b) {
                        f.ping(a, b, WAIT);
                    }
                }
            }

            // TCP with the veths' and TAPs' offloads on, end to end across the overlay
            NamespaceTcp.transfer(f.host(1).client, f.host(3).client, OverlayFabric.client(3), 16 << 20);
            assertEquals(0, f.host(2).tapClient.execStatus("ping", "-c", "2", "-W", "2", OverlayFabric.client(1)),
                    "host 2's TAP client pings host 1's veth client");
            NamespaceTcp.transfer(f.host(2).tapClient, f.host(3).client, OverlayFabric.client(3), 16 << 20);
            NamespaceTcp.transfer(f.host(3).client, f.host(1).tapClient, OverlayFabric.tapClient(1), 16 << 20);

            f.add(4);
            f.host(1).awaitPeers(WAIT, f.vtep(2), f.vtep(3), f.vtep(4));
            f.ping(4, 1, WAIT);
            f.ping(2, 4, WAIT);
            f.ping(3, 4, WAIT);
            assertEquals(List.of(f.vtep(1), f.vtep(2), f.vtep(3), f.vtep(4)), f.registered());

            f.host(4).daemon.kill();
            long killed = System.nanoTime();
            f.host(1).awaitPeers(LEASE.plusSeconds(4), f.vtep(2), f.vtep(3));
            assertTrue(System.nanoTime() - killed < LEASE.plusSeconds(4).toNanos());
            assertEquals(List.of(f.vtep(1), f.vtep(2), f.vtep(3)), f.registered(), "its registration went with its lease");
            f.host(2).awaitPeers(WAIT, f.vtep(1), f.vtep(3));
            f.ping(1, 2, WAIT);

            f.host(4).start(); // it comes back and registers again
            f.host(3).awaitPeers(WAIT, f.vtep(1), f.vtep(2), f.vtep(4));
            f.ping(1, 4, WAIT);
        }
    }

    /**
     * With the MACs published, known unicast between two hosts is sent to the one that has the
     * MAC: a capture on a third host's underlay sees none of it (the devices do not learn, so
     * without the directory's unicast entries it would be flooded there).
     */
    @Test
    void knownUnicastGoesToOneHostOnly(@TempDir Path dir) throws Exception {
        assumeEtcd();
        try (OverlayFabric f = new OverlayFabric(dir, LEASE)) {
            for (int i = 1; i <= 3; i++) {
                f.add(i);
            }
            f.host(1).awaitPeers(WAIT, f.vtep(2), f.vtep(3));
            f.host(2).awaitPeers(WAIT, f.vtep(1), f.vtep(3));
            f.ping(1, 2, WAIT);
            Await.until(WAIT, "host 1 has a unicast entry for host 2's client",
                    () -> f.host(1).unicastEntry(f.clientMac(2), f.vtep(2)));
            Await.until(WAIT, "host 2 has a unicast entry for host 1's client",
                    () -> f.host(2).unicastEntry(f.clientMac(1), f.vtep(1)));
            f.ping(1, 2, WAIT); // host 1's bridge learns host 2's client on its vxlan port again, if it aged
            var fdb = io.switchd.api.Json.mapper().readTree(f.host(1).daemon.client()
                    .exchange("GET", "/v1/fdb?mac=" + f.clientMac(2), new byte[0]).body());
            assertEquals(1, fdb.size(), fdb.toString());
            assertEquals(f.vxlan(1), fdb.get(0).get("port").asText(), fdb.toString());
            assertEquals(f.vtep(2), fdb.get(0).get("remote").asText(), "fdb show names the remote host: " + fdb);

            // the capture catches such frames: a MAC nobody published is flooded to host 3 too
            String unknown = "02:00:00:00:99:99";
            f.host(1).client.exec("ip", "neigh", "replace", "192.168.77.99", "lladdr", unknown, "dev", "c" + f.id + "x1");
            int flooded = captured(f, dir, "unknown", List.of(unknown), () -> f.host(1).client.execStatus("ping", "-c",
                    "3", "-i", "0.2", "-W", "1", "192.168.77.99"));
            assertTrue(flooded >= 3, "unknown unicast reaches host 3's underlay: " + flooded);

            int seen = captured(f, dir, "known", List.of(f.clientMac(1), f.clientMac(2)), () -> assertEquals(0,
                    f.host(1).client.execStatus("ping", "-c", "20", "-i", "0.05", "-W", "1", OverlayFabric.client(2)),
                    "host 1 pings host 2"));
            assertEquals(0, seen, "frames between hosts 1 and 2 that host 3's underlay saw");
        }
    }

    /** Runs {@code traffic} while host 3's underlay is captured for VXLAN frames to {@code macs}; returns how many. */
    private static int captured(OverlayFabric f, Path dir, String name, List<String> macs, Runnable traffic)
            throws Exception {
        StringBuilder filter = new StringBuilder("udp dst port 4789 and (");
        for (int i = 0; i < macs.size(); i++) {
            filter.append(i == 0 ? "" : " or ").append("(udp[16:4] = 0x").append(hex4(macs.get(i)))
                    .append(" and udp[20:2] = 0x").append(hex2(macs.get(i))).append(")");
        }
        filter.append(")");
        Tcpdump tcpdump = Tcpdump.start(f.host(3).ns, "u" + f.id + "x3", dir.resolve(name + ".pcap"), filter.toString());
        try {
            traffic.run();
        } finally {
            tcpdump.close();
        }
        return tcpdump.frames().size();
    }

    /**
     * etcd stops: the existing pairs keep forwarding on what they know; a host that joins meanwhile
     * is reachable once etcd is back (the others read the VNI again and watch from there).
     */
    @Test
    void forwardingOutlivesEtcdAndCatchesUpWhenItIsBack(@TempDir Path dir) throws Exception {
        assumeEtcd();
        try (OverlayFabric f = new OverlayFabric(dir, LEASE)) {
            f.add(1);
            f.add(2);
            f.host(1).awaitPeers(WAIT, f.vtep(2));
            f.ping(1, 2, WAIT);

            f.etcd.stop();
            Await.until(WAIT, "host 1 noticing etcd gone", () -> !connected(f, 1));
            assertEquals(0, f.host(1).client.execStatus("ping", "-c", "3", "-W", "1", OverlayFabric.client(2)),
                    "the pair forwards on without etcd");
            f.host(1).awaitPeers(Duration.ofSeconds(1), f.vtep(2));

            f.add(3); // joins while etcd is away: it cannot register yet
            Await.until(WAIT, "host 3 finding etcd away", () -> said(f, 3) == 1);
            f.etcd.start();
            f.host(1).awaitPeers(WAIT, f.vtep(2), f.vtep(3));
            f.host(3).awaitPeers(WAIT, f.vtep(1), f.vtep(2));
            f.ping(3, 1, WAIT);
            f.ping(2, 3, WAIT);
            for (int i = 1; i <= 3; i++) {
                assertEquals(1, said(f, i), "host " + i + " says once that etcd is away");
            }

            Await.until(WAIT, "host 1 connected again", () -> connected(f, 1));
            String text = metrics(f, 1);
            PrometheusText.validate(text);
            assertEquals(2.0, PrometheusText.value(text, "switchd_vxlan_peers{bridge=\"br0\",port=\"" + f.vxlan(1)
                    + "\",source=\"etcd\"}"), text);
            assertEquals(0.0, PrometheusText.value(text, "switchd_vxlan_peers{bridge=\"br0\",port=\"" + f.vxlan(1)
                    + "\",source=\"static\"}"), text);
            double last = PrometheusText.value(text, "switchd_etcd_last_update_seconds");
            assertTrue(Math.abs(System.currentTimeMillis() / 1000.0 - last) < WAIT.toSeconds(), "last update " + last);
            assertEquals(0.0, PrometheusText.value(text, "switchd_etcd_malformed_total"), text);
        }
    }

    /**
     * A vxlan port added through the API with the directory registers; deleted, its device,
     * registration and MACs go at once (not when the lease runs out). A malformed key someone
     * wrote under the VNI is skipped and counted.
     */
    @Test
    void aPortRemovedAtRunTimeLeavesTheDirectory(@TempDir Path dir) throws Exception {
        assumeEtcd();
        try (OverlayFabric f = new OverlayFabric(dir, Duration.ofSeconds(30))) {
            f.add(1);
            f.add(2);
            f.host(1).awaitPeers(WAIT, f.vtep(2));
            f.ping(1, 2, WAIT);
            assertEquals(0, f.etcd.etcdctl("put", f.prefix + "/vni/" + f.vni + "/hosts/10.0.0.300", "{\"address\": 1}"));
            assertEquals(0, f.etcd.etcdctl("put", f.prefix + "/vni/" + f.vni + "/macs/zz", "garbage"));
            Await.until(WAIT, "the malformed keys counted", () -> {
                try {
                    return PrometheusText.value(metrics(f, 1), "switchd_etcd_malformed_total") == 2.0;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertEquals(0, f.etcd.etcdctl("del", f.prefix + "/vni/" + f.vni + "/hosts/10.0.0.300"));
            assertEquals(0, f.etcd.etcdctl("del", f.prefix + "/vni/" + f.vni + "/macs/zz"));
            f.ping(1, 2, WAIT); // still forwarding
            Await.until(WAIT, "host 2's client MAC published", () -> f.etcd.etcdctlOut("get", "--prefix", "--keys-only",
                    f.prefix + "/vni/" + f.vni + "/macs/").contains(f.clientMac(2)));

            var client = f.host(2).daemon.client();
            String vx = f.vxlan(2);
            reloadWithout(f, 2); // the config file's port, removed at run time
            assertGone(f, 2);


            String add = "{\"name\":\"" + vx + "\",\"type\":\"vxlan\",\"vni\":" + f.vni + ",\"local\":\""
                    + f.vtep(2) + "\",\"directory\":\"etcd\"}";
            var added = client.exchange("POST", "/v1/bridges/br0/ports", add.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(201, added.status(), new String(added.body(), java.nio.charset.StandardCharsets.UTF_8));
            f.host(1).awaitPeers(WAIT, f.vtep(2));
            f.host(2).awaitPeers(WAIT, f.vtep(1));
            f.ping(2, 1, WAIT);

            var deleted = client.exchange("DELETE", "/v1/bridges/br0/ports/" + vx, new byte[0]);
            assertEquals(204, deleted.status(), new String(deleted.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertGone(f, 2);
        }
    }

    /** Without a switchd.etcd section there is no directory to ask for: the API says so and adds nothing. */
    @Test
    void theApiRefusesTheDirectoryWithoutAnEtcdSection(@TempDir Path dir) throws Exception {
        try (TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { } }", null)) {
            TestDaemon.CliResult r = daemon.switchctl("port", "add", "br0", "vxnoetcd", "--type", "vxlan", "--vni", "7",
                    "--local", "192.0.2.1", "--directory", "etcd");
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().contains("needs a switchd.etcd"), r.err());
            TestDaemon.CliResult other = daemon.switchctl("port", "add", "br0", "vxnoetcd", "--type", "vxlan", "--vni",
                    "7", "--local", "192.0.2.1", "--directory", "consul");
            assertTrue(other.err().contains("directory must be etcd"), other.err());
            assertEquals(null, daemon.port("br0", "vxnoetcd"));
        }
    }

    /** Host {@code i}'s port, registration, MACs and device are gone, well before the lease would run out. */
    private static void assertGone(OverlayFabric f, int i) {
        f.host(1).awaitPeers(Duration.ofSeconds(5));
        assertEquals(List.of(f.vtep(1)), f.registered(), "host " + i + "'s registration went with its port");
        Await.until(Duration.ofSeconds(5), "host " + i + "'s MACs withdrawn", () -> !f.etcd.etcdctlOut("get", "--prefix",
                "--keys-only", f.prefix + "/vni/" + f.vni + "/macs/").contains(f.clientMac(i)));
        assertTrue(f.host(i).ns.execStatus("ip", "link", "show", f.vxlan(i)) != 0, "and its device");
    }

    /** Host {@code host}'s config file without its vxlan port, reloaded. */
    private static void reloadWithout(OverlayFabric f, int host) throws Exception {
        Path conf = f.host(host).configFile();
        String text = java.nio.file.Files.readString(conf);
        java.nio.file.Files.writeString(conf, text.replaceAll("(?m)^\\s*" + f.vxlan(host) + " \\{.*\\}\\n", ""));
        var r = f.host(host).daemon.client().exchange("POST", "/v1/reload", new byte[0]);
        assertEquals(200, r.status(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(!java.nio.file.Files.readString(conf).contains(f.vxlan(host) + " {"), "the port left the config");
    }

    /** How many times host {@code i} logged that it cannot reach etcd. */
    private static long said(OverlayFabric f, int i) {
        try {
            return java.nio.file.Files.readAllLines(f.host(i).log).stream()
                    .filter(l -> l.contains("etcd directory: cannot reach")).count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static String metrics(OverlayFabric f, int host) throws java.io.IOException {
        return new String(f.host(host).daemon.client().exchange("GET", "/metrics", new byte[0]).body(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean connected(OverlayFabric f, int host) {
        try {
            String text = metrics(f, host);
            return text.lines().anyMatch(l -> l.matches("switchd_etcd_connected 1(\\.0)?"));
        } catch (Exception e) {
            return false;
        }
    }

    private static String hex4(String mac) {
        return mac.replace(":", "").substring(0, 8);
    }

    private static String hex2(String mac) {
        return mac.replace(":", "").substring(8);
    }
}

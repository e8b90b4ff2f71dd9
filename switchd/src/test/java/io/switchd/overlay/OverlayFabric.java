package io.switchd.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.testing.Await;
import io.switchd.testing.DaemonProcess;
import io.switchd.testing.EtcdServer;
import io.switchd.testing.Netns;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hosts on one VXLAN underlay, each a namespace with its own switchd process, and etcd in the
 * underlay namespace:
 *
 * <pre>
 *  client ns ci ─veth (192.168.77.i, MAC 02:5d:ID:00:00:i)─ [host ns hi: switchd br0: si + ti + vxi (local U.i)] ─ui─┐
 *  tap ns tci ─TAP ti (192.168.77.100+i), made by switchd and moved there ─┘
 *                                                                                                            kernel bridge in
 *                                                                   etcd at U.254 on the bridge ───────────── the underlay ns
 * </pre>
 * Everything it made goes at {@link #close}: the daemons and etcd by their PIDs, then the namespaces.
 */
final class OverlayFabric implements AutoCloseable {
    static final String HOST_MTU = "1450";
    final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    final String net = "10." + (100 + ThreadLocalRandom.current().nextInt(150)) + "."
            + ThreadLocalRandom.current().nextInt(256) + ".";
    final int vni = 100_000 + ThreadLocalRandom.current().nextInt(1_000_000);
    final String prefix = "/switchd-test-" + id;
    private final Path dir;
    private final Duration lease;
    private final Netns underlay;
    private final List<Netns> namespaces = new ArrayList<>();
    private final Map<Integer, Host> hosts = new TreeMap<>();
    final EtcdServer etcd;

    OverlayFabric(Path dir, Duration lease) throws Exception {
        this.dir = dir;
        this.lease = lease;
        underlay = Netns.create("ovu" + id);
        namespaces.add(underlay);
        underlay.exec("ip", "link", "add", "ub" + id, "type", "bridge");
        underlay.exec("ip", "link", "set", "ub" + id, "up");
        underlay.exec("ip", "addr", "add", net + "254/24", "dev", "ub" + id);
        etcd = EtcdServer.start(underlay, net + "254", dir);
    }

    /** The underlay address of host {@code i}. */
    String vtep(int i) {
        return net + i;
    }

    /** Host {@code i}'s client address. */
    static String client(int i) {
        return "192.168.77." + i;
    }

    /** Host {@code i}'s TAP client's address. */
    static String tapClient(int i) {
        return "192.168.77." + (100 + i);
    }

    /** Host {@code i}'s client MAC. */
    String clientMac(int i) {
        return "02:5d:" + id.substring(0, 2) + ":" + id.substring(2) + ":00:" + String.format("%02x", i);
    }

    /** Makes host {@code i}'s namespaces and links and starts its switchd with a vxlan port on the directory. */
    Host add(int i) throws Exception {
        Netns h = Netns.create("ovh" + id + "-" + i);
        namespaces.add(h);
        Netns c = Netns.create("ovc" + id + "-" + i);
        namespaces.add(c);
        Netns tc = Netns.create("ovt" + id + "-" + i);
        namespaces.add(tc);
        String u = "u" + id + "x" + i;
        underlay.exec("ip", "link", "add", "p" + id + "x" + i, "type", "veth", "peer", "name", u);
        underlay.exec("ip", "link", "set", u, "netns", h.name());
        underlay.exec("ip", "link", "set", "p" + id + "x" + i, "master", "ub" + id, "up");
        h.exec("ip", "addr", "add", vtep(i) + "/24", "dev", u);
        h.exec("ip", "link", "set", u, "up");
        String s = "s" + id + "x" + i;
        h.exec("ip", "link", "add", s, "type", "veth", "peer", "name", "c" + id + "x" + i);
        h.exec("ip", "link", "set", "c" + id + "x" + i, "netns", c.name());
        h.exec("ip", "link", "set", s, "up");
        c.exec("ip", "link", "set", "c" + id + "x" + i, "address", clientMac(i), "mtu", HOST_MTU, "up");
        c.exec("ip", "addr", "add", client(i) + "/24", "dev", "c" + id + "x" + i);

        Path hd = dir.resolve("h" + i);
        Files.createDirectories(hd);
        Files.writeString(hd.resolve("switchd.conf"), "switchd {\n"
                + "  threads = 1\n"
                + "  control { socket = \"" + hd.resolve("switchd.sock") + "\", group = \"\" }\n"
                + "  metrics { listen = \"\" }\n"
                + "  state-file = \"\"\n"
                + "  etcd { endpoints = [\"" + etcd.endpoint() + "\"], prefix = \"" + prefix + "\", lease = "
                + lease.toSeconds() + "s }\n"
                + "  bridges.br0.ports {\n"
                + "    " + s + " {}\n"
                + "    " + tap(i) + " { type = tap }\n"
                + "    " + vxlan(i) + " { type = vxlan, vni = " + vni + ", local = \"" + vtep(i) + "\", directory = etcd }\n"
                + "  }\n"
                + "}\n");
        Host host = new Host(i, h, c, tc, hd);
        hosts.put(i, host);
        host.start();
        // the TAP switchd made goes to its own namespace (its descriptor works on from there)
        h.exec("ip", "link", "set", tap(i), "netns", tc.name());
        tc.exec("ip", "link", "set", tap(i), "mtu", HOST_MTU, "up");
        tc.exec("ip", "addr", "add", tapClient(i) + "/24", "dev", tap(i));
        return host;
    }

    /** Host {@code i}'s TAP port. */
    String tap(int i) {
        return "t" + id + "x" + i;
    }

    /** Host {@code i}'s vxlan port and device. */
    String vxlan(int i) {
        return "vx" + id + "x" + i;
    }

    Host host(int i) {
        return hosts.get(i);
    }

    /** The VTEP addresses registered on the VNI, as etcdctl reads them. */
    List<String> registered() {
        List<String> out = new ArrayList<>();
        String hostsPrefix = prefix + "/vni/" + vni + "/hosts/";
        for (String line : etcd.etcdctlOut("get", "--prefix", "--keys-only", hostsPrefix).split("\n")) {
            if (line.startsWith(hostsPrefix)) {
                out.add(line.substring(hostsPrefix.length()));
            }
        }
        return out;
    }

    /** Pings {@code to}'s client from {@code from}'s until one answers, within {@code wait}. */
    void ping(int from, int to, Duration wait) {
        Netns c = hosts.get(from).client;
        long deadline = System.nanoTime() + wait.toNanos();
        while (c.execStatus("ping", "-c", "1", "-W", "1", client(to)) != 0) {
            assertTrue(System.nanoTime() < deadline, "host " + from + " cannot ping host " + to + " within " + wait);
        }
    }

    @Override
    public void close() throws Exception {
        for (Host h : hosts.values()) {
            h.stop();
        }
        etcd.close();
        for (Netns ns : namespaces) {
            ns.close();
        }
    }

    /** One host: its namespaces and its switchd. */
    final class Host {
        final int index;
        final Netns ns;
        final Netns client;
        final Netns tapClient;
        private final Path dir;
        DaemonProcess daemon;
        Path log;

        Host(int index, Netns ns, Netns client, Netns tapClient, Path dir) {
            this.index = index;
            this.ns = ns;
            this.client = client;
            this.tapClient = tapClient;
            this.dir = dir;
        }

        void start() throws Exception {
            // logs outside the test's temporary directory, to be read after a failure
            Path logs = Path.of("target", "overlay-logs", id);
            Files.createDirectories(logs);
            log = logs.resolve("h" + index + "-" + System.nanoTime() + ".log");
            daemon = DaemonProcess.builder(dir.resolve("switchd.conf"), dir.resolve("switchd.sock"), log).netns(ns.name()).start()
                    .awaitServing(Duration.ofSeconds(60));
        }

        /** The host's config file. */
        Path configFile() {
            return dir.resolve("switchd.conf");
        }

        void stop() throws InterruptedException {
            if (daemon != null) {
                daemon.close();
                daemon = null;
            }
        }

        /** The vxlan port as the daemon's API shows it. */
        JsonNode vxlanPort() throws Exception {
            DaemonProcess d = daemon;
            for (JsonNode p : Json.mapper().readTree(d.client().exchange("GET", "/v1/ports", new byte[0]).body())) {
                if (p.get("name").asText().equals(vxlan(index))) {
                    return p;
                }
            }
            return null;
        }

        /** The addresses the vxlan port floods to, with source etcd, as {@code port list} shows them. */
        List<String> etcdRemotes() {
            try {
                List<String> out = new ArrayList<>();
                JsonNode p = vxlanPort();
                if (p != null && p.has("remotes")) {
                    for (JsonNode r : p.get("remotes")) {
                        if (r.get("source").asText().equals("etcd")) {
                            out.add(r.get("address").asText());
                        }
                    }
                }
                return out;
            } catch (Exception e) {
                return List.of("unreadable: " + e);
            }
        }

        /** The vxlan device's forwarding entries, as {@code bridge -j fdb show} gives them. */
        JsonNode deviceFdb() throws Exception {
            return Json.mapper().readTree(ns.exec("bridge", "-j", "fdb", "show", "dev", vxlan(index))
                    .getBytes(StandardCharsets.UTF_8));
        }

        /** Whether the device has a static unicast entry for {@code mac} to {@code dst}. */
        boolean unicastEntry(String mac, String dst) {
            try {
                for (JsonNode e : deviceFdb()) {
                    if (e.get("mac").asText().equals(mac) && e.has("dst") && e.get("dst").asText().equals(dst)) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        }

        /** Waits until the port floods to exactly {@code peers} from the directory. */
        void awaitPeers(Duration wait, String... peers) {
            List<String> want = List.of(peers);
            Await.until(wait, () -> "host " + index + " flooding to " + want + " from etcd; it shows " + etcdRemotes(),
                    () -> etcdRemotes().equals(want));
        }
    }
}

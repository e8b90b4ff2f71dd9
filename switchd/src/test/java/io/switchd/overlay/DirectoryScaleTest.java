package io.switchd.overlay;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.switchd.Daemon;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.EtcdServer;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark, not run in CI (set SWITCHD_SCALE_TESTS=1): simulated hosts and their MACs
 * registered in etcd across several VNIs, and one switchd (in this JVM) with a vxlan port on each
 * VNI; measures how long it takes from the daemon's start until every device holds all its flood
 * and unicast entries. Sizes: SWITCHD_SCALE_VNIS (10), SWITCHD_SCALE_HOSTS per VNI (10),
 * SWITCHD_SCALE_MACS per host (100).
 */
class DirectoryScaleTest {
    @Test
    void oneSwitchdConvergesOnAFleet(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(System.getenv("SWITCHD_SCALE_TESTS") != null, "a benchmark: SWITCHD_SCALE_TESTS=1");
        Netns.assumeAvailable();
        int vnis = size("SWITCHD_SCALE_VNIS", 10);
        int hosts = size("SWITCHD_SCALE_HOSTS", 10);
        int macs = size("SWITCHD_SCALE_MACS", 100);
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String net = "10." + (100 + ThreadLocalRandom.current().nextInt(150)) + "."
                + ThreadLocalRandom.current().nextInt(256) + ".";
        int vniBase = 200_000 + ThreadLocalRandom.current().nextInt(1_000_000);
        String underlay = "su" + id;
        String prefix = "/switchd-scale-" + id;
        List<String> ports = new ArrayList<>();
        try (EtcdServer etcd = EtcdServer.start(null, "127.0.0.1", dir);
             Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
            Netns.run("ip", "link", "add", underlay, "type", "veth", "peer", "name", underlay + "p");
            Netns.run("ip", "addr", "add", net + "1/16", "dev", underlay);
            Netns.run("ip", "link", "set", underlay, "up");

            long lease = client.getLeaseClient().grant(600).get(10, TimeUnit.SECONDS).getID();
            PutOption withLease = PutOption.builder().withLeaseId(lease).build();
            long t0 = System.nanoTime();
            // transactions of at most 100 puts (etcd takes 128 operations in one), 4 in flight: one
            // put per request, thousands at once, time etcd out on a slow disk
            List<CompletableFuture<?>> pending = new ArrayList<>();
            List<Op> batch = new ArrayList<>();
            long mac = 0x0200_0000_0000L;
            for (int v = 0; v < vnis; v++) {
                String vp = prefix + "/vni/" + (vniBase + v) + "/";
                for (int h = 0; h < hosts; h++) {
                    String address = "10.99." + (h / 250) + "." + (h % 250 + 2);
                    batch.add(Op.put(bytes(vp + "hosts/" + address), bytes("{\"address\":\"" + address + "\"}"),
                            withLease));
                    for (int m = 0; m < macs; m++) {
                        batch.add(Op.put(bytes(vp + "macs/" + MacAddress.format(++mac)),
                                bytes("{\"address\":\"" + address + "\",\"vlan\":0}"), withLease));
                        if (batch.size() >= 100) {
                            flush(client, batch, pending);
                        }
                    }
                }
            }
            flush(client, batch, pending);
            CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            double putSeconds = (System.nanoTime() - t0) / 1e9;

            StringBuilder conf = new StringBuilder("switchd {\n  threads = 1\n  control { socket = \""
                    + dir.resolve("s.sock") + "\", group = \"\" }\n  metrics { listen = \"\" }\n  state-file = \"\"\n"
                    + "  etcd { endpoints = [\"" + etcd.endpoint() + "\"], prefix = \"" + prefix + "\" }\n"
                    + "  bridges.br0.ports {\n");
            for (int v = 0; v < vnis; v++) {
                String port = "sx" + id + "v" + v;
                ports.add(port);
                conf.append("    ").append(port).append(" { type = vxlan, vni = ").append(vniBase + v)
                        .append(", local = \"").append(net).append("1\", directory = etcd }\n");
            }
            conf.append("  }\n}\n");
            Files.writeString(dir.resolve("s.conf"), conf);

            long start = System.nanoTime();
            try (Daemon daemon = Daemon.start(dir.resolve("s.conf"), null)) {
                int want = hosts * (macs + 1);
                Await.until(Duration.ofMinutes(10), () -> "every device holding " + want + " entries",
                        () -> ports.stream().allMatch(p -> entries(p) >= want));
                double converged = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "directory scale: %d VNIs x %d hosts x %d MACs = %d keys put in %.1f s; "
                        + "one switchd converged (all %d devices' entries programmed) %.1f s after its start%n",
                        vnis, hosts, macs, vnis * hosts * (macs + 1), putSeconds, vnis, converged);
            }
        } finally {
            for (String p : ports) {
                Netns.status("ip", "link", "del", p);
            }
            Netns.status("ip", "link", "del", underlay);
        }
    }

    /** Sends {@code batch} as one transaction, keeping at most 4 in flight. */
    private static void flush(Client client, List<Op> batch, List<CompletableFuture<?>> pending) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        pending.add(client.getKVClient().txn().Then(batch.toArray(new Op[0])).commit());
        batch.clear();
        if (pending.size() >= 4) {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            pending.clear();
        }
    }

    /** Entries on device {@code port} with a remote (flood and unicast), as {@code bridge fdb} lists them. */
    private static long entries(String port) {
        try {
            return Netns.run("bridge", "fdb", "show", "dev", port).lines().filter(l -> l.contains(" dst ")).count();
        } catch (IllegalStateException e) {
            return 0;
        }
    }

    private static int size(String name, int fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}

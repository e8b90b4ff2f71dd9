package io.switchd.port;

import com.fasterxml.jackson.core.type.TypeReference;
import io.switchd.api.client.SwitchdClient;
import io.switchd.api.model.PortStats;
import io.switchd.testing.DaemonProcess;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A switch at a few percent of its capacity loses no frame: 20,000 new stations arrive at 20,000
 * frames/s in bursts of 64 (each burst sent with one sendmmsg, so it is there before the switch has
 * read the first of it), then 20,000 frames go back to them at the same rate, three rounds in a row
 * on one daemon. Every frame arrives, the second phase floods none (every station was learned), and
 * no drop counter of any port moves. Counts only: how fast the machine is decides nothing but how
 * long the test takes. The daemon runs as its own process, as it does in use, so the test's own
 * work (and garbage) never pauses it.
 */
class NoLossBelowSaturationTest {
    private static final int FRAMES = 20_000;
    private static final int RATE = 20_000;
    private static final int BURST = 64;
    private static final int ROUNDS = 3;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0} ports")
    @ValueSource(strings = {"tap", "netdev"})
    void learnsAndForwardsEveryFrameOfBurstsAtAModestRate(String type, @TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String[] ports = {"sw" + id + "a", "sw" + id + "b", "sw" + id + "c"};
        List<Netns> namespaces = new ArrayList<>();
        DaemonProcess daemon = null;
        try {
            // room for every station of the warm-up and the three rounds
            StringBuilder bridge = new StringBuilder("bridges.br0 { mac-table-size = 131072, ports { ");
            for (int i = 0; i < ports.length; i++) {
                Netns ns = Netns.create("switchd-test-" + id + "-l" + i);
                namespaces.add(ns);
                if (type.equals("netdev")) {
                    Netns.run("ip", "link", "add", ports[i], "type", "veth", "peer", "name", "eth0", "netns", ns.name());
                    // our end would send router solicitations to the host behind it, bypassing the switch
                    Netns.run("sysctl", "-qw", "net.ipv6.conf." + ports[i] + ".disable_ipv6=1");
                }
                bridge.append(ports[i]).append(" { type = ").append(type).append(" }, ");
            }
            // The test reads the flood counter from /metrics between phases, the MAC table's export
            // (4,096 rows by default) and all: a scrape must not stop the loops with its garbage.
            Path config = dir.resolve("switchd.conf");
            Files.writeString(config, "switchd {\n control { socket = \"" + dir.resolve("s.sock") + "\", group = \"\" }\n"
                    + " metrics.listen = \"\"\n state-file = \"\"\n " + bridge + "} }\n}\n");
            daemon = DaemonProcess.builder(config, dir.resolve("s.sock"), dir.resolve("switchd.log")).start()
                    .awaitServing(WAIT);
            SwitchdClient client = new SwitchdClient(dir.resolve("s.sock"));
            String[] inside = new String[ports.length];
            for (int i = 0; i < ports.length; i++) {
                Netns ns = namespaces.get(i);
                if (type.equals("tap")) {
                    Netns.run("ip", "link", "set", ports[i], "netns", ns.name());
                    inside[i] = ports[i];
                } else {
                    inside[i] = "eth0";
                }
                ns.exec("ip", "link", "set", inside[i], "up");
            }
            Station a = new Station(namespaces.get(0), inside[0]);
            Station b = new Station(namespaces.get(1), inside[1]);
            Station c = new Station(namespaces.get(2), inside[2]);
            long prefix = Long.parseLong(id, 16);
            try (RawSocket fromA = RawSocket.open(namespaces.get(0), inside[0]);
                 RawSocket fromB = RawSocket.open(namespaces.get(1), inside[1])) {
                long stationOfB = 0x0200_0000_0B00L | prefix << 16;
                // Warm-up, not counted: the first second of a fresh JVM (class loading, compilation,
                // the first collections touching fresh heap pages, the first scrape) can hold the
                // loops for tens of milliseconds; that cold start is not what this test is about.
                long warm = Frames.token();
                send(fromA, i -> Frames.frame(0x0200_0000_0EEEL, 0x0200_2000_0000L + (prefix << 24) + i, warm));
                send(fromB, i -> Frames.frame(0x0200_2000_0000L + (prefix << 24) + i, stationOfB, warm));
                flooded(client);
                drops(client);
                for (int round = 0; round < ROUNDS; round++) {
                    String what = type + " ports, round " + (round + 1);
                    long stations = 0x0200_1000_0000L + (long) round * 0x10_0000 + (prefix << 24);
                    Map<String, Long> dropsBefore = drops(client);
                    double flooded = flooded(client);

                    // phase 1: every frame from a new station, to an address nobody has: flooded to b and c
                    long b0 = b.received();
                    long c0 = c.received();
                    long learn = Frames.token();
                    send(fromA, i -> Frames.frame(0x0200_0000_0EEEL, stations + i, learn));
                    arrive(b, b0, what + ": new stations' frames at b", client);
                    arrive(c, c0, what + ": new stations' frames at c", client);
                    assertEquals(FRAMES, flooded(client) - flooded, 0.0, what + ": phase 1 floods every frame");

                    // phase 2: one frame back to each station, which was learned behind a
                    long a0 = a.received();
                    c0 = c.received();
                    long answer = Frames.token();
                    send(fromB, i -> Frames.frame(stations + i, stationOfB, answer));
                    arrive(a, a0, what + ": answers at a", client);
                    assertEquals(FRAMES, flooded(client) - flooded, 0.0, what + ": no answer is flooded");
                    assertEquals(c0, c.received(), what + ": c receives no answer");
                    assertEquals(dropsBefore, drops(client), what + ": no drop counter moves");
                }
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            if (type.equals("netdev")) {
                for (String port : ports) {
                    Netns.status("ip", "link", "del", port);
                }
            }
        }
    }

    /** What a frame to send is, by its number in the phase. */
    private interface FrameMaker {
        byte[] make(int i);
    }

    /**
     * Sends {@link #FRAMES} frames in bursts of {@link #BURST}, a burst every BURST/RATE seconds on
     * average (a late burst is followed by the next at once, so the rate holds over the phase).
     */
    private static void send(RawSocket socket, FrameMaker maker) {
        byte[][][] bursts = new byte[FRAMES / BURST + 1][][];
        for (int i = 0, n = 0; i < FRAMES; i += BURST, n++) {
            bursts[n] = new byte[Math.min(BURST, FRAMES - i)][];
            for (int j = 0; j < bursts[n].length; j++) {
                bursts[n][j] = maker.make(i + j);
            }
        }
        long period = TimeUnit.SECONDS.toNanos(BURST) / RATE;
        long next = System.nanoTime();
        for (byte[][] burst : bursts) {
            if (burst == null) {
                break;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            socket.sendBurst(burst);
            next += period;
        }
    }

    /** Waits until {@code at} has received {@link #FRAMES} frames more than {@code before}, or fails saying where they went. */
    private static void arrive(Station at, long before, String what, SwitchdClient client) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long got;
        while ((got = at.received() - before) < FRAMES && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        if (got != FRAMES) {
            StringBuilder why = new StringBuilder();
            for (PortStats st : stats(client)) {
                why.append("; ").append(st.port()).append(": rx ").append(st.rxFrames()).append(" tx ")
                        .append(st.txFrames());
                st.drops().forEach((reason, n) -> {
                    if (n > 0) {
                        why.append(' ').append(reason).append('=').append(n);
                    }
                });
            }
            assertEquals(FRAMES, got, what + why);
        }
    }

    private static List<PortStats> stats(SwitchdClient client) throws Exception {
        return client.call("GET", "/v1/bridges/br0/stats", null, new TypeReference<List<PortStats>>() {});
    }

    /** Every drop counter of every port, by port and reason. */
    private static Map<String, Long> drops(SwitchdClient client) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (PortStats st : stats(client)) {
            st.drops().forEach((reason, n) -> out.put(st.port() + " " + reason, n));
        }
        return out;
    }

    private static double flooded(SwitchdClient client) throws Exception {
        return PrometheusText.value(client.text("/metrics"), "switchd_flooded_frames_total{bridge=\"br0\"}");
    }

    /**
     * A host's interface, whose kernel receive counter says exactly how many frames the switch
     * delivered to it (the namespaces have IPv6 off, so nothing else is sent there unasked).
     */
    private record Station(Netns ns, String ifname) {
        long received() {
            return Long.parseLong(ns.exec("cat", "/sys/class/net/" + ifname + "/statistics/rx_packets").trim());
        }
    }
}

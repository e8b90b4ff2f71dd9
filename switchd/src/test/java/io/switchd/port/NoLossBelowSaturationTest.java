package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.api.model.PortStats;
import io.switchd.config.ConfigLoader;
import io.switchd.control.ControlException;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A switch at a few percent of its capacity loses no frame: 20,000 new stations arrive at 20,000
 * frames/s in bursts of 64 (each burst is there before the switch has read the first of it), then
 * 20,000 frames go back to them at the same rate, three rounds in a row on one daemon. Every frame
 * arrives, the second phase floods none (every station was learned), and no drop counter of any
 * port moves. Counts only: how fast the machine is decides nothing but how long the test takes.
 */
class NoLossBelowSaturationTest {
    private static final int FRAMES = 20_000;
    private static final int RATE = 20_000;
    private static final int BURST = 64;
    private static final int ROUNDS = 3;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0} ports")
    @ValueSource(strings = {"tap", "netdev"})
    void learnsAndForwardsEveryFrameOfBurstsAtAModestRate(String type) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String[] ports = {"sw" + id + "a", "sw" + id + "b", "sw" + id + "c"};
        List<Netns> namespaces = new ArrayList<>();
        Switchd s = null;
        try {
            StringBuilder conf = new StringBuilder("switchd { bridges.br0.ports { ");
            for (int i = 0; i < ports.length; i++) {
                Netns ns = Netns.create("switchd-test-" + id + "-l" + i);
                namespaces.add(ns);
                if (type.equals("netdev")) {
                    Netns.run("ip", "link", "add", ports[i], "type", "veth", "peer", "name", "eth0", "netns", ns.name());
                }
                conf.append(ports[i]).append(" { type = ").append(type).append(" }, ");
            }
            s = Switchd.start(ConfigLoader.parse(conf.append("} }").toString(), "NoLossBelowSaturationTest"));
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
            try (Counter a = new Counter(RawSocket.open(namespaces.get(0), inside[0]));
                 Counter b = new Counter(RawSocket.open(namespaces.get(1), inside[1]));
                 Counter c = new Counter(RawSocket.open(namespaces.get(2), inside[2]))) {
                long stationOfB = 0x0200_0000_0B00L | Long.parseLong(id, 16) << 16;
                for (int round = 0; round < ROUNDS; round++) {
                    long stations = 0x0200_1000_0000L + (long) round * 0x10_0000 + (Long.parseLong(id, 16) << 24);
                    Map<String, Long> dropsBefore = drops(s, ports);
                    long flooded = flooded(s);

                    long learn = Frames.token();
                    b.expect(learn);
                    c.expect(learn);
                    // phase 1: every frame from a new station, to an address nobody has: flooded to b and c
                    send(a.socket, learn, i -> Frames.frame(0x0200_0000_0EEEL, stations + i, learn));
                    Switchd daemon = s;
                    Await.equals((long) FRAMES, WAIT, type + " round " + round + ": new stations' frames at b", b::count);
                    Await.equals((long) FRAMES, WAIT, type + " round " + round + ": new stations' frames at c", c::count);
                    long floodedInPhase1 = flooded(daemon) - flooded;

                    long answer = Frames.token();
                    a.expect(answer);
                    c.expect(answer);
                    // phase 2: one frame back to each station, which was learned behind a
                    send(b.socket, answer, i -> Frames.frame(stations + i, stationOfB, answer));
                    Await.equals((long) FRAMES, WAIT, type + " round " + round + ": answers at a", a::count);
                    assertEquals(FRAMES, floodedInPhase1, type + " round " + round + ": phase 1 floods every frame");
                    assertEquals(0, flooded(s) - flooded - floodedInPhase1,
                            type + " round " + round + ": no answer is flooded");
                    assertEquals(0, c.count(), type + " round " + round + ": c sees no answer");
                    assertEquals(dropsBefore, drops(s, ports), type + " round " + round + ": no drop counter moves");
                }
            }
        } finally {
            if (s != null) {
                s.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String port : ports) {
                if (type.equals("netdev")) {
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
    private static void send(RawSocket socket, long token, FrameMaker maker) {
        byte[][] frames = new byte[FRAMES][];
        for (int i = 0; i < FRAMES; i++) {
            frames[i] = maker.make(i);
        }
        long period = TimeUnit.SECONDS.toNanos(BURST) / RATE;
        long next = System.nanoTime();
        for (int i = 0; i < FRAMES; i += BURST) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            for (int j = i; j < Math.min(i + BURST, FRAMES); j++) {
                socket.send(frames[j]);
            }
            next += period;
        }
    }

    private static long flooded(Switchd s) {
        return s.bridge("br0").counters().get(io.switchd.bridge.Bridge.C_FLOODED);
    }

    /** Every drop counter of every port, by port and reason. */
    private static Map<String, Long> drops(Switchd s, String[] ports) throws ControlException {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String port : ports) {
            PortStats st = s.stats("br0", port).get(0);
            st.drops().forEach((reason, n) -> out.put(port + " " + reason, n));
        }
        return out;
    }

    /** Counts, on its own thread, the frames a socket receives that carry the token it expects now. */
    private static final class Counter implements AutoCloseable {
        final RawSocket socket;
        private final AtomicLong count = new AtomicLong();
        private volatile long token;
        private volatile boolean open = true;
        private final Thread reader;

        Counter(RawSocket socket) {
            this.socket = socket;
            reader = new Thread(this::read, "counter");
            reader.setDaemon(true);
            reader.start();
        }

        /** Counts from zero the frames carrying {@code t}. */
        void expect(long t) {
            token = t;
            count.set(0);
        }

        long count() {
            return count.get();
        }

        private void read() {
            while (open) {
                byte[] f = socket.take();
                if (f != null && Frames.tokenOf(f) == token) {
                    count.incrementAndGet();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            open = false;
            reader.join(5_000);
            socket.close();
        }
    }
}

package io.switchd.vhost;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A frontend that breaks the virtio rules on purpose, against a running switchd with a vhost-user
 * port and two hosts in namespaces on veth ports: for each way of breaking them the port goes down
 * with a {@code guest-error} reason that names the problem, the error is counted once (stats and
 * metrics), the two hosts go on exchanging frames all the while, and a frontend that connects anew
 * and behaves brings the port back up. One daemon serves every case, as it would serve one guest after another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VhostUserHostileFrontendTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long A = 0x0200_00e2_000aL;
    private static final long B = 0x0200_00e2_000bL;
    private static final long GUEST = 0x0200_00e2_0001L;

    /** The ways a guest breaks the rules, and what the port's reason must name. */
    enum Hostility {
        /** A transmitted descriptor that points outside the memory table. */
        ADDRESS_OUTSIDE_THE_TABLE("unmapped-buffer on the transmit queue"),
        /** A chain whose NEXT leads back to its head. */
        LOOPING_CHAIN("chain-loop on the transmit queue"),
        /** A descriptor whose length runs past the end of its region. */
        LENGTH_BEYOND_THE_REGION("unmapped-buffer on the transmit queue"),
        /** A new memory table that no longer holds the rings the queues use. */
        TABLE_WITHOUT_THE_RINGS("unmapped-ring on the transmit queue"),
        /** A running queue kicked anew with its rings moved outside the memory table. */
        KICK_OF_UNMAPPED_RINGS("unmapped-ring on the transmit queue"),
        /** Receive buffers that point outside the memory table, found when a frame is flooded to the guest. */
        RECEIVE_BUFFERS_OUTSIDE_THE_TABLE("unmapped-buffer on the receive queue"),
        /** avail->idx moved ahead by more than the queue's size. */
        AVAIL_INDEX_JUMP("avail-index-jump on the transmit queue");

        final String named;

        Hostility(String named) {
            this.named = named;
        }
    }

    private Path dir;
    private Netns nsA;
    private Netns nsB;
    private RawSocket hostA;
    private RawSocket hostB;
    private TestDaemon daemon;
    private Path socket;
    private String tag;
    private final List<String> links = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Netns.assumeAvailable("needs root for namespaces and veths");
        tag = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
        dir = Files.createTempDirectory("switchd-hostile-");
        try {
            nsA = host("ha", A);
            nsB = host("hb", B);
            socket = dir.resolve("vm1.sock");
            daemon = TestDaemon.start(dir, "br0 { ports { " + links.get(0) + " {}, " + links.get(1)
                    + " {}, vm1 { type = vhost-user, socket = \"" + socket + "\" } } }", null);
            hostA = RawSocket.open(nsA, "eth0");
            hostB = RawSocket.open(nsB, "eth0");
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private Netns host(String prefix, long mac) {
        Netns ns = Netns.create(prefix + tag);
        String link = "z" + prefix + tag;
        links.add(link);
        Netns.run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        Netns.run("ip", "link", "set", link, "up");
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        ns.exec("ip", "link", "set", "eth0", "address", MacAddress.format(mac), "up");
        return ns;
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {hostA, hostB, daemon, nsA, nsB}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // go on cleaning up
                }
            }
        }
        for (String link : links) {
            Netns.status("ip", "link", "del", link); // gone with its namespace's end already, normally
        }
        if (dir != null) {
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Hostility.class)
    void aGuestThatBreaksTheRulesTakesOnlyItsOwnPortDown(Hostility how) throws Exception {
        try (RingFrontend guest = RingFrontend.connect(socket, "hostile-" + tag);
             Stream stream = new Stream()) {
            guest.setUp();
            awaitUp();
            stream.start(); // A streams frames to B from before the guest misbehaves until it is gone
            long dropsBefore = guestErrorDrops();
            double metricBefore = guestErrorMetric();
            exchange(); // the hosts talk before, ...

            misbehave(guest, how);
            Await.until(WAIT, () -> "vm1 down for " + how + "; it is " + daemon.port("br0", "vm1"),
                    () -> daemon.port("br0", "vm1").get("state").asText().equals("down"));
            String reason = daemon.port("br0", "vm1").get("reason").asText();
            assertTrue(reason.startsWith("guest-error: ") && reason.contains(how.named), reason);
            Await.until(WAIT, () -> "a guest-error drop counted; " + guestErrorDrops() + " after " + dropsBefore,
                    () -> guestErrorDrops() == dropsBefore + 1);
            assertEquals(metricBefore + 1, guestErrorMetric(), "the metric counts it too");
            exchange(); // ... while the guest's port is down, ...
            guest.transmit(Frames.frame(A, GUEST, Frames.token()));
            assertEquals("down", daemon.port("br0", "vm1").get("state").asText(), "the guest's kicks go unheard");
            guest.close();
            Await.until(WAIT, () -> "vm1 absent once the guest is gone; it is " + daemon.port("br0", "vm1"),
                    () -> daemon.port("br0", "vm1").get("state").asText().equals("absent"));
            int streamed = stream.finish();
            assertTrue(streamed >= 20, "the stream ran through the fault: " + streamed + " frames");
        }
        exchange(); // ... and after

        try (RingFrontend guest = RingFrontend.connect(socket, "polite-" + tag)) {
            guest.setUp();
            awaitUp();
            assertTrue(daemon.port("br0", "vm1").path("reason").isMissingNode()
                    || daemon.port("br0", "vm1").path("reason").isNull(), "reason cleared: " + daemon.port("br0", "vm1"));
            // the new guest's frames reach a host, and a host's frames reach the guest
            long token = Frames.token();
            guest.transmit(Frames.frame(A, GUEST, token));
            awaitToken(hostA, token);
            long back = Frames.token();
            hostA.send(Frames.frame(GUEST, A, back));
            List<byte[]> got = new ArrayList<>();
            Await.until(WAIT, "the host's frame in the guest's receive queue", () -> {
                got.addAll(guest.received());
                return got.stream().anyMatch(f -> f.length >= 22 && Frames.tokenOf(f) == back);
            });
        }
        Await.until(WAIT, () -> "vm1 absent again; it is " + daemon.port("br0", "vm1"),
                () -> daemon.port("br0", "vm1").get("state").asText().equals("absent"));
    }

    private void misbehave(RingFrontend guest, Hostility how) {
        TestVirtioDriver tx = guest.tx;
        switch (how) {
            case ADDRESS_OUTSIDE_THE_TABLE -> {
                int d = tx.takeDescriptor();
                tx.writeDescriptor(d, 0xdead_0000_0000L, 100, 0, 0);
                tx.makeAvailable(d);
            }
            case LOOPING_CHAIN -> {
                int first = tx.takeDescriptor();
                int second = tx.takeDescriptor();
                long buf = tx.allocate(64);
                tx.writeDescriptor(first, buf, 32, TestVirtioDriver.F_NEXT, second);
                tx.writeDescriptor(second, buf + 32, 32, TestVirtioDriver.F_NEXT, first);
                tx.makeAvailable(first);
            }
            case LENGTH_BEYOND_THE_REGION -> {
                int d = tx.takeDescriptor();
                tx.writeDescriptor(d, tx.gpaEnd() - 100, 1000, 0, 0);
                tx.makeAvailable(d);
            }
            case TABLE_WITHOUT_THE_RINGS -> {
                // only the upper halves of the two regions: the rings sit at the start of each
                int half = RingFrontend.QUEUE_BYTES / 2;
                guest.memoryTable(new MemoryRegion(RingFrontend.GPA + half, half, RingFrontend.UVA + half, half),
                        new MemoryRegion(RingFrontend.GPA + RingFrontend.QUEUE_BYTES + half, half,
                                RingFrontend.UVA + RingFrontend.QUEUE_BYTES + half, RingFrontend.QUEUE_BYTES + half));
                return; // switchd sees it as it swaps the tables: no kick needed
            }
            case KICK_OF_UNMAPPED_RINGS -> {
                long outside = RingFrontend.UVA + 16L * RingFrontend.QUEUE_BYTES;
                long refused = guest.moveRings(RingFrontend.TX,
                        new VringAddress(RingFrontend.TX, 0, outside, outside + 8192, outside + 4096, 0));
                assertTrue(refused != 0, "switchd refuses the kick");
                return;
            }
            case RECEIVE_BUFFERS_OUTSIDE_THE_TABLE -> {
                for (int d = 0; d < RingFrontend.QUEUE_SIZE; d++) {
                    guest.rx.writeDescriptor(d, 0xdead_0000_0000L, 2048, TestVirtioDriver.F_WRITE, 0);
                }
                // a host's broadcast reaches the guest from whichever loop reads the host's port
                hostA.send(Frames.frame(Frames.BROADCAST, A, Frames.token()));
                return;
            }
            case AVAIL_INDEX_JUMP -> tx.setAvailIndex(RingFrontend.QUEUE_SIZE + 7);
        }
        guest.kick(RingFrontend.TX);
    }

    /**
     * Frames from host A to host B, one a millisecond, on threads of their own while the test's
     * thread drives the guest: {@link #finish} waits until every one sent has arrived.
     */
    private final class Stream implements AutoCloseable {
        private final RawSocket at = RawSocket.open(nsB, "eth0");
        private final Set<Long> sent = ConcurrentHashMap.newKeySet();
        private final Set<Long> arrived = ConcurrentHashMap.newKeySet();
        private volatile boolean sending = true;
        private volatile boolean receiving = true;
        private final Thread sender = new Thread(() -> {
            while (sending) {
                long t = Frames.token();
                sent.add(t);
                hostA.send(Frames.frame(B, A, t));
                LockSupport.parkNanos(1_000_000); // the stream's pace, not a wait for anything
            }
        }, "hostile-test-sender");
        private final Thread receiver = new Thread(() -> {
            while (receiving) {
                byte[] f = at.take();
                if (f != null && f.length >= 22) {
                    arrived.add(Frames.tokenOf(f));
                }
            }
        }, "hostile-test-receiver");

        void start() {
            receiver.start();
            sender.start();
        }

        /**
         * Lets at least 20 frames go (a fault can be over in a few milliseconds), stops sending and
         * waits until every frame sent has arrived: how many there were.
         */
        int finish() throws InterruptedException {
            Await.until(WAIT, () -> sent.size() + " of 20 frames streamed", () -> sent.size() >= 20);
            sending = false;
            sender.join();
            Await.until(WAIT, () -> (sent.size() - arrived.stream().filter(sent::contains).count()) + " of "
                    + sent.size() + " streamed frames missing", () -> arrived.containsAll(sent));
            return sent.size();
        }

        @Override
        public void close() throws InterruptedException {
            sending = false;
            receiving = false;
            if (sender.isAlive()) {
                sender.join();
            }
            if (receiver.isAlive()) {
                receiver.join();
            }
            at.close();
        }
    }

    private void awaitUp() {
        Await.until(WAIT, () -> "vm1 up; it is " + daemon.port("br0", "vm1"),
                () -> daemon.port("br0", "vm1").get("state").asText().equals("up"));
    }

    /** 20 frames each way between the two hosts, every one of them arriving. */
    private void exchange() {
        for (RawSocket[] pair : new RawSocket[][] {{hostA, hostB}, {hostB, hostA}}) {
            long from = pair[0] == hostA ? A : B;
            long to = pair[0] == hostA ? B : A;
            List<Long> tokens = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t = Frames.token();
                tokens.add(t);
                pair[0].send(Frames.frame(to, from, t));
            }
            for (long t : tokens) {
                awaitToken(pair[1], t);
            }
        }
    }

    private static void awaitToken(RawSocket at, long token) {
        Await.until(WAIT, "a frame with token " + token, () -> {
            byte[] f;
            while ((f = at.take()) != null) {
                if (f.length >= 22 && Frames.tokenOf(f) == token) {
                    return true;
                }
            }
            return false;
        });
    }

    private long guestErrorDrops() {
        try {
            JsonNode s = daemon.client().call("GET", "/v1/bridges/br0/stats?port=vm1", null).get(0);
            return s.get("drops").path("guest-error").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private double guestErrorMetric() {
        try {
            String text = daemon.client().text("/metrics");
            double sum = 0;
            for (String direction : new String[] {"rx", "tx"}) {
                double n = PrometheusText.value(text, "switchd_port_dropped_frames_total{bridge=\"br0\",direction=\""
                        + direction + "\",port=\"vm1\",reason=\"guest-error\"}");
                sum += Double.isNaN(n) ? 0 : n;
            }
            return sum;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

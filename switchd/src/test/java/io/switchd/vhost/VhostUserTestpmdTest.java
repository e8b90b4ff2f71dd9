package io.switchd.vhost;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import io.switchd.testing.Testpmd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DPDK's testpmd, which no one here wrote, as the front-end: its virtio-user port sets the device
 * up through our endpoint in both socket modes, goes away when killed, and sets it up again when
 * started anew.
 */
class VhostUserTestpmdTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MAC = "02:00:00:00:0e:01";
    private static MultiThreadIoEventLoopGroup group;
    private static IoEventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void loop() {
        Netns.assumeAvailable("needs root and DPDK's testpmd (Debian dpdk)");
        if (!Netns.required()) {
            assumeTrue(Testpmd.available(), "needs DPDK's testpmd (Debian dpdk)");
        }
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = (IoEventLoop) group.next();
    }

    @AfterAll
    static void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void testpmdSetsUpTheDeviceThroughOurServerSocket() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        Path socket = dir.resolve("vhost.sock");
        try (VhostUserEndpoint endpoint = VhostUserEndpoint.server(socket, loop, backend)) {
            for (int round = 0; round < 2; round++) {
                try (Testpmd testpmd = Testpmd.start(dir, socket, MAC, false)) {
                    awaitSession(backend, testpmd, round);
                    assertTrue(endpoint.connected());
                    testpmd.kill();
                    int done = round + 1;
                    Await.until(WAIT, "disconnected() after testpmd was killed", () -> backend.disconnects() == done);
                    assertFalse(endpoint.connected());
                }
            }
            assertEquals(2, endpoint.connections());
        }
    }

    @Test
    void withoutProtocolFeaturesTheRingsStartEnabled() throws Exception {
        RecordingBackend backend = new RecordingBackend(RecordingBackend.OFFERED & ~(1L << VirtioFeatures.PROTOCOL_FEATURES), 0);
        Path socket = dir.resolve("legacy.sock");
        try (VhostUserEndpoint endpoint = VhostUserEndpoint.server(socket, loop, backend);
             Testpmd testpmd = Testpmd.start(dir, socket, MAC, false)) {
            awaitSession(backend, testpmd, 0);
            assertFalse(VirtioFeatures.has(backend.acked(), VirtioFeatures.PROTOCOL_FEATURES));
            List<String> events = backend.events();
            for (int i = 0; i < 2; i++) {
                // the session enables each ring as it is kicked (testpmd enables them afterwards as well)
                assertEquals(events.indexOf("vringKick " + i + " fd") + 1, events.indexOf("vringEnable " + i + " true"),
                        events.toString());
            }
            assertEquals(0, backend.disconnects());
        }
    }

    @Test
    void ourClientWaitsForTestpmdToListenAndComesBackAfterIt() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        Path socket = dir.resolve("testpmd.sock");
        try (VhostUserEndpoint endpoint = VhostUserEndpoint.client(socket, loop, backend)) {
            // ours first: it retries until testpmd listens
            long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            Await.until(Duration.ofSeconds(5), "time to pass", () -> System.nanoTime() > deadline);
            assertFalse(endpoint.connected());
            for (int round = 0; round < 2; round++) {
                try (Testpmd testpmd = Testpmd.start(dir, socket, MAC, true)) {
                    awaitSession(backend, testpmd, round);
                    testpmd.kill();
                    int done = round + 1;
                    Await.until(WAIT, "disconnected() after testpmd was killed", () -> backend.disconnects() == done);
                }
            }
            assertEquals(2, endpoint.connections());
        }
    }

    /** Waits for testpmd's session number {@code round} to have set the device up whole, and checks it. */
    private static void awaitSession(RecordingBackend backend, Testpmd testpmd, int round) throws IOException {
        Await.until(WAIT, () -> "session " + round + " to complete; backend heard " + backend.events()
                + "\ntestpmd printed:\n" + testpmd.tail(), backend::sessionComplete);
        long acked = backend.acked();
        assertEquals(0, acked & ~RecordingBackend.OFFERED, "acked features are a subset of the offered ones");
        assertTrue(VirtioFeatures.has(acked, VirtioFeatures.VERSION_1), VirtioFeatures.names(acked).toString());
        assertTrue(backend.table().length >= 1);
        assertEquals(backend.table().length, backend.tableFds());
        for (int i = 0; i < 2; i++) {
            RecordingBackend.Ring r = backend.ring(i);
            assertEquals(256, r.num, "ring " + i + " size");
            assertTrue(r.kick >= 0 && r.call >= 0, "ring " + i + " got eventfds");
            assertTrue(r.enabled, "ring " + i + " enabled");
        }
        assertEquals(round, backend.disconnects());
        testpmd.awaitPrompt(WAIT);
        assertTrue(testpmd.output().contains("Configuring Port 0"), testpmd.tail());
        long[] stats = testpmd.portStats(WAIT);
        assertArrayEquals(new long[] {0, 0}, stats, "nothing sent or received: no data path yet");
    }
}

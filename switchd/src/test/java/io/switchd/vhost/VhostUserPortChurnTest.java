package io.switchd.vhost;

import io.switchd.testing.Await;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Frontends that come and go, and vhost-user ports that come and go under a connected frontend,
 * leave nothing behind in the daemon's process (the test's own, the daemon runs in it): no file
 * descriptor (sockets, eventfds, region memfds), no mapping of guest memory, no thread.
 */
class VhostUserPortChurnTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Path FDS = Path.of("/proc/self/fd");

    @Test
    void twoHundredFrontendsComeAndGoAndLeaveNothingBehind(@TempDir Path dir) throws Exception {
        String memfd = "churn-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
        Path socket = dir.resolve("vm1.sock");
        try (TestDaemon d = TestDaemon.start(dir, "br0 { ports { vm1 { type = vhost-user, socket = \"" + socket + "\" } } }", null)) {
            // a first round warms up what is made once (the API's client, the loops' lazy parts)
            cycle(d, "vm1", socket, memfd);
            Map<String, String> fds = descriptors();
            int threads = threads();
            for (int i = 0; i < 200; i++) {
                cycle(d, "vm1", socket, memfd);
            }
            assertNothingLeft(fds, threads, memfd);
        }
    }

    @Test
    void twentyPortsAddedAndDeletedUnderAConnectedFrontendLeaveNothingBehind(@TempDir Path dir) throws Exception {
        String memfd = "portchurn-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
        Path socket = dir.resolve("vm2.sock");
        try (TestDaemon d = TestDaemon.start(dir, "br0 { ports { } }", null)) {
            addConnectDelete(d, socket, memfd);
            Map<String, String> fds = descriptors();
            int threads = threads();
            for (int i = 0; i < 20; i++) {
                addConnectDelete(d, socket, memfd);
            }
            assertNothingLeft(fds, threads, memfd);
        }
    }

    /** A frontend connects, sets both queues up with its memfd and eventfds, enables them, and goes. */
    private static void cycle(TestDaemon d, String port, Path socket, String memfd) throws IOException {
        try (RingFrontend f = RingFrontend.connect(socket, memfd)) {
            f.setUp();
            awaitState(d, port, "up");
        }
        awaitState(d, port, "absent");
    }

    private static void addConnectDelete(TestDaemon d, Path socket, String memfd) throws IOException {
        TestDaemon.CliResult add = d.switchctl("port", "add", "br0", "vm2", "--type", "vhost-user", "--socket", socket.toString());
        assertEquals(0, add.status(), add.err());
        try (RingFrontend f = RingFrontend.connect(socket, memfd)) {
            f.setUp();
            awaitState(d, "vm2", "up");
            TestDaemon.CliResult delete = d.switchctl("port", "del", "br0", "vm2");
            assertEquals(0, delete.status(), delete.err());
            f.awaitClosedByPeer();
        }
        assertEquals(null, d.port("br0", "vm2"), "the port is gone");
        assertFalse(Files.exists(socket), "the socket file is gone with the port");
    }

    private static void awaitState(TestDaemon d, String port, String state) {
        Await.until(WAIT, () -> port + " " + state + "; it is " + d.port("br0", port),
                () -> d.port("br0", port).get("state").asText().equals(state));
    }

    /**
     * Waits (what goes is closed on the loops, a moment after the API has answered) until the
     * process holds the same descriptors, threads and none of the memfd's mappings as before.
     */
    private static void assertNothingLeft(Map<String, String> fdsBefore, int threadsBefore, String memfd) {
        Await.until(WAIT, () -> "no descriptor left; new since: " + added(fdsBefore),
                () -> added(fdsBefore).isEmpty() && descriptors().size() <= fdsBefore.size());
        Await.until(WAIT, () -> "no mapping of the guest's memory left: " + mappings(memfd), () -> mappings(memfd) == 0);
        Await.until(WAIT, () -> threads() + " threads, " + threadsBefore + " before", () -> threads() <= threadsBefore);
    }

    private static Map<String, String> added(Map<String, String> before) {
        Map<String, String> now = descriptors();
        now.keySet().removeIf(fd -> now.get(fd).equals(before.get(fd)));
        return now;
    }

    /** The process's descriptors: number to what it points at. */
    private static Map<String, String> descriptors() {
        Map<String, String> fds = new TreeMap<>();
        try (Stream<Path> list = Files.list(FDS)) {
            list.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.equals("/proc/" + ProcessHandle.current().pid() + "/fd")) { // the listing's own
                        fds.put(p.getFileName().toString(), target);
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor, closed by now
                }
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return fds;
    }

    private static long mappings(String memfd) {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("memfd:" + memfd)).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int threads() {
        try (Stream<Path> list = Files.list(Path.of("/proc/self/task"))) {
            return (int) list.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

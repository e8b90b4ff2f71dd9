package io.switchd.control;

import io.switchd.api.client.SwitchdClient;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A thousand ports added and removed through the API, as VMs and containers come and go: afterwards
 * the process holds exactly the descriptors it held before, runs no thread it did not run before,
 * and its heap after a full GC is where it was, give or take {@link #HEAP_TOLERANCE}.
 */
class PortChurnTest {
    private static final int PORTS = 1000;
    private static final int WARM_UP = 30;
    /**
     * Heap noise allowed after the loop (seen: 66 to 152 KB). A leaked port holds at least its
     * ~1 KB counter array, so a leak of every port would show as 1 MB or more.
     */
    private static final long HEAP_TOLERANCE = 512 * 1024;
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void addingAndRemovingAThousandPortsLeavesNoDescriptorThreadOrHeapBehind(@TempDir Path dir) throws Exception {
        if (!Netns.required()) {
            assumeTrue(Netns.available(), "needs root, /dev/net/tun and iproute2");
        }
        String veth = "sw" + id + "v";
        try (TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { } }", null)) {
            Netns.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "sw" + id + "w");
            SwitchdClient client = daemon.client();
            for (int i = 0; i < WARM_UP; i++) {
                churn(client, i, veth);
            }
            quiesce(daemon);
            Map<String, String> fds = fds();
            Set<Thread> threads = Thread.getAllStackTraces().keySet();
            long heap = heapAfterGc();

            long start = System.nanoTime();
            for (int i = WARM_UP; i < WARM_UP + PORTS; i++) {
                churn(client, i, veth);
            }
            System.out.println("PortChurnTest: " + PORTS + " ports added and removed in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");

            quiesce(daemon);
            // other tests' leftovers may be closed by a cleaner meanwhile; none may be new
            assertEquals(Map.of(), newFds(fds), "descriptors opened during the loop and still open");
            // threads of the JVM's own that end when idle (the process reaper) may be gone; none may be new
            try {
                Await.until(SETTLE, "no thread but those there before the loop", () -> newThreads(threads).isEmpty());
            } catch (AssertionError e) {
                fail("threads started during the loop still run: " + newThreads(threads));
            }
            long after = heapAfterGc();
            System.out.println("PortChurnTest: heap after GC " + heap + " bytes before, " + after + " after");
            assertTrue(after - heap <= HEAP_TOLERANCE, "the heap grew by " + (after - heap) + " bytes over "
                    + PORTS + " ports (before " + heap + ", after " + after + ")");
            assertTrue(client.call("GET", "/v1/bridges/br0/ports", null).isEmpty(), "ports left on br0");
            try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
                assertTrue(links.noneMatch(l -> l.getFileName().toString().startsWith("sw" + id + "t")),
                        "a TAP interface outlived its port");
            }
        } finally {
            if (Interfaces.exists(veth)) {
                Netns.status("ip", "link", "del", veth);
            }
        }
    }

    /**
     * One round: a TAP port (every tenth persistent) added and deleted; every tenth round the veth
     * too, as a netdev port, and /metrics scraped while they are there.
     */
    private void churn(SwitchdClient client, int i, String veth) throws Exception {
        String tap = "sw" + id + "t" + Integer.toString(i, 36);
        client.call("POST", "/v1/bridges/br0/ports", Map.of("name", tap, "type", "tap", "persistent", i % 10 == 0));
        if (i % 10 == 5) {
            client.call("POST", "/v1/bridges/br0/ports", Map.of("name", veth, "type", "netdev"));
            // a scrape registers the ports' meters; the next one must drop them again
            client.text("/metrics");
        }
        client.call("DELETE", "/v1/bridges/br0/ports/" + tap, null);
        if (i % 10 == 5) {
            client.call("DELETE", "/v1/bridges/br0/ports/" + veth, null);
        }
    }

    /** Returns once every descriptor close queued so far has run: ports are closed after quiescence. */
    private static void quiesce(TestDaemon daemon) {
        // the kernel takes 25-40 ms to remove each TAP, one after another: a thousand of them queued
        // behind a fast churn take up to a minute
        assertTrue(daemon.daemon().switchd().dataPlane().awaitQuiescence(Duration.ofSeconds(120)),
                "the queued descriptor closes did not finish");
    }

    /** This process's open descriptors: number to what they point at (a socket's inode tells one from another). */
    private static Map<String, String> fds() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.startsWith("/proc/")) { // the listing's own descriptor
                        out.put(fd.getFileName().toString(), target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The descriptors open now that were not open, or pointed elsewhere, in {@code before}. */
    private static Map<String, String> newFds(Map<String, String> before) {
        Map<String, String> out = new TreeMap<>();
        fds().forEach((fd, target) -> {
            if (!target.equals(before.get(fd))) {
                out.put(fd, target);
            }
        });
        return out;
    }

    /** The names of live threads that are not in {@code before}. */
    private static List<String> newThreads(Set<Thread> before) {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(t)) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** The least heap in use over three full collections. */
    private static long heapAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}

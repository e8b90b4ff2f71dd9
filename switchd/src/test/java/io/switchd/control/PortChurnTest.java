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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A thousand ports added and removed through the API, as VMs and containers come and go: afterwards
 * the process holds exactly the descriptors it held before, runs no thread it did not run before,
 * and no class has gained live instances in proportion to the ports: a leak of anything held per
 * port shows as hundreds of new instances of one class, however small each one is, while the test
 * JVM's own noise (class loading, JIT, other tests' garbage) does not.
 *
 * <p>Strings and their byte arrays are left out: code running for the first time resolves string
 * literals and names classes, which stay live (Netty alone fills a table of 2048 strerror strings
 * on its first failed native call), and a heap dump of a run showed some 3,000 of those and not one
 * port name. A leaked port holds more than a string (the port, its counters, its meters).
 */
class PortChurnTest {
    private static final int PORTS = 1000;
    private static final int WARM_UP = 30;
    /**
     * New live instances of one class allowed after the loop. Comparing total heap instead failed
     * in CI at 531 KB of noise (in a JVM shared with the other tests); a per-port leak adds at
     * least {@link #PORTS} instances of some class, a leak of one port in five at least 200.
     */
    private static final long INSTANCE_TOLERANCE = PORTS / 10;
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void addingAndRemovingAThousandPortsLeavesNoDescriptorThreadOrHeapBehind(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
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
            // the snapshot itself is a few thousand live objects: take the baseline while one is held too
            Map<String, Long> held = liveInstances();
            Map<String, Long> live = liveInstances();
            held = null;

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
            // JNA frees native memory from its cleaner thread some time after a collection: a leak
            // stays, a pending clean-up goes
            Map<String, Long> now;
            long deadline = System.nanoTime() + SETTLE.toNanos();
            do {
                now = liveInstances();
            } while (!grownBeyond(live, now, INSTANCE_TOLERANCE).isEmpty() && System.nanoTime() < deadline);
            System.out.println("PortChurnTest: classes with 10+ new live instances: " + grownBeyond(live, now, 10));
            assertEquals(Map.of(), grownBeyond(live, now, INSTANCE_TOLERANCE), "classes with more live instances after " + PORTS
                    + " ports than before (class: new instances)");
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

    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");

    /**
     * Live instances per class, as {@code jcmd GC.class_histogram} counts them: the command runs a
     * full collection first, so only reachable objects count.
     */
    private static Map<String, Long> liveInstances() {
        String histogram;
        try {
            histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("cannot take a class histogram", e);
        }
        Map<String, Long> out = new TreeMap<>();
        for (String line : histogram.split("\n")) {
            Matcher m = HISTOGRAM_ROW.matcher(line);
            if (m.find()) {
                out.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("the class histogram had no rows: " + histogram);
        }
        return out;
    }

    /** Classes whose live instances grow as code runs for the first time, port or no port. */
    private static final Set<String> LAZILY_GROWN = Set.of("java.lang.String", "[B");

    /** The classes (strings aside) whose live instances grew by more than {@code tolerance}, with the growth. */
    private static Map<String, Long> grownBeyond(Map<String, Long> before, Map<String, Long> after, long tolerance) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((type, count) -> {
            long growth = count - before.getOrDefault(type, 0L);
            if (growth > tolerance && !LAZILY_GROWN.contains(type)) {
                out.put(type, growth);
            }
        });
        return out;
    }
}

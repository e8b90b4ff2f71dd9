package io.switchd.control;

import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.Await;
import io.switchd.testing.DaemonProcess;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The series stock Prometheus dashboards and alerts look for, under the names the Prometheus Java
 * and Go clients give them, scraped from a daemon in its own process (its start time and memory
 * are its own, not the test JVM's).
 */
class StandardMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final double MB = 1024 * 1024;

    @Test
    void theProcessAndBuildSeriesAreThereWithSaneValues(@TempDir Path dir) throws Exception {
        TestDaemon.writeConfig(dir, "br0 {}");
        Path socket = dir.resolve("switchd.sock");
        SwitchdClient client = new SwitchdClient(socket);
        double startedAt = System.currentTimeMillis() / 1000.0;
        try (DaemonProcess daemon = DaemonProcess.builder(dir.resolve("switchd.conf"), socket,
                dir.resolve("switchd.log")).start()) {
            daemon.awaitServing(WAIT);
            String text = scrape(client);
            PrometheusText.validate(text);

            double rss = value(text, "process_resident_memory_bytes");
            assertTrue(rss > 10 * MB && rss < memTotalBytes(), "resident memory " + rss);
            double virtual = value(text, "process_virtual_memory_bytes");
            assertTrue(virtual >= rss, "virtual memory " + virtual + " below resident " + rss);

            double start = value(text, "process_start_time_seconds");
            assertTrue(Math.abs(start - startedAt) < 60, "start time " + start + ", started at " + startedAt);

            double openFds = value(text, "process_open_fds");
            double maxFds = value(text, "process_max_fds");
            assertTrue(openFds > 3 && openFds <= maxFds, "open fds " + openFds + " of " + maxFds);

            double cpu = value(text, "process_cpu_seconds_total");
            assertTrue(cpu > 0, "cpu seconds " + cpu);
            Await.until(WAIT, "process_cpu_seconds_total to grow past " + cpu,
                    () -> value(scrape(client), "process_cpu_seconds_total") > cpu);

            Map<String, String> build = PrometheusText.labels(text, "switchd_build_info");
            assertNotNull(build, "no switchd_build_info series");
            assertEquals(System.getProperty("project.version"), build.get("version"), "version label");
            assertEquals(System.getProperty("java.version"), build.get("java_version"), "java_version label");
            assertTrue(build.get("revision").matches("[0-9a-f]{12}|unknown"), "revision label " + build.get("revision"));
            String series = build.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                    .collect(Collectors.joining(",", "switchd_build_info{", "}"));
            assertEquals(1.0, PrometheusText.value(text, series), series);
        }
    }

    private static String scrape(SwitchdClient client) {
        try {
            return client.text("/metrics");
        } catch (Exception e) {
            throw new AssertionError("GET /metrics: " + e, e);
        }
    }

    private static double value(String text, String name) {
        double v = PrometheusText.value(text, name);
        assertTrue(!Double.isNaN(v), "no " + name + " series");
        return v;
    }

    private static double memTotalBytes() throws Exception {
        Matcher m = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/meminfo")));
        assertTrue(m.find(), "MemTotal in /proc/meminfo");
        return Long.parseLong(m.group(1)) * 1024.0;
    }
}

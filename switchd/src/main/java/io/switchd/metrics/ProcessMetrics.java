package io.switchd.metrics;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process series under the names the Prometheus Java and Go clients export, which stock
 * dashboards and alerts query: process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_cpu_seconds_total, process_open_fds, process_max_fds. (process_start_time_seconds comes
 * from Micrometer's UptimeMetrics, already under that name and in seconds since the epoch.)
 * Micrometer's Prometheus naming turns "process.cpu" with unit seconds into
 * process_cpu_seconds_total, and so on.
 */
final class ProcessMetrics implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final UnixOperatingSystemMXBean os =
            (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("process.resident.memory", () -> statusBytes("VmRSS:")).baseUnit("bytes")
                .description("Resident memory size in bytes").register(registry);
        Gauge.builder("process.virtual.memory", () -> statusBytes("VmSize:")).baseUnit("bytes")
                .description("Virtual memory size in bytes").register(registry);
        FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                .description("Total user and system CPU time spent in seconds").register(registry);
        Gauge.builder("process.open.fds", os, UnixOperatingSystemMXBean::getOpenFileDescriptorCount)
                .description("Number of open file descriptors").register(registry);
        Gauge.builder("process.max.fds", os, UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
                .description("Maximum number of open file descriptors").register(registry);
    }

    /** A "Name:  N kB" line of /proc/self/status in bytes, or NaN where there is no such line. */
    private static double statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a kernel without the field: Prometheus takes NaN as "no value"
        }
        return Double.NaN;
    }
}

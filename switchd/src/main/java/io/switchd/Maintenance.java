package io.switchd;

import io.switchd.bridge.Bridge;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.port.Port;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The maintenance thread: ages the MAC tables every second and reads the kernel's drop counts of
 * the ports' packet sockets; the link follower's retries run on it too.
 */
final class Maintenance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Maintenance.class.getName());
    private static final long KERNEL_DROPS_SECONDS = 10;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchd-maintenance");
        t.setDaemon(true);
        return t;
    });

    /** The thread, for other maintenance work. */
    ScheduledExecutorService executor() {
        return executor;
    }

    /** Starts ageing and drop counting on the bridges {@code bridges} gives each time. */
    void start(Supplier<List<Bridge>> bridges) {
        executor.scheduleWithFixedDelay(() -> age(bridges.get()), 1, 1, TimeUnit.SECONDS);
        // often enough that the kernel's 32-bit packet-socket drop count cannot wrap in between
        executor.scheduleWithFixedDelay(() -> collectKernelDrops(bridges.get()), KERNEL_DROPS_SECONDS,
                KERNEL_DROPS_SECONDS, TimeUnit.SECONDS);
    }

    private static void age(List<Bridge> bridges) {
        long now = MonotonicClock.millis();
        for (Bridge b : bridges) {
            try {
                b.fdb().age(now);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "ageing bridge " + b.name() + " failed", e);
            }
        }
    }

    private static void collectKernelDrops(List<Bridge> bridges) {
        for (Bridge b : bridges) {
            for (Port p : b.ports()) {
                try {
                    p.collectKernelDrops();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "reading the kernel's drop count of " + p + " failed", e);
                }
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

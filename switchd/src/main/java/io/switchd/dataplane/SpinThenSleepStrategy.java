package io.switchd.dataplane;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

import java.util.function.LongSupplier;

/**
 * How a forwarding loop waits for frames: after a wake-up it keeps polling epoll without a timeout
 * until {@code spinNanos} have passed since it last handled something, then sleeps in epoll_wait
 * again.
 *
 * <p>Why: on a virtual machine most of a frame's latency through an idle switch is the wake-up of
 * its loop thread (an idle vCPU halts, and waking it goes through the host's scheduler). Traffic
 * that comes back within the window (the reply to a request, the next frame of a burst) finds the
 * loop awake; a switch with no traffic sleeps, so the spinning costs CPU only while frames flow.
 *
 * <p>Spinning must only use CPU time nobody else wants. Between empty polls the loop yields; when a
 * yield comes back late, another thread needed this CPU, and a loop that keeps spinning would wait
 * for it as a runnable thread, behind every other one, instead of being woken ahead of them as a
 * sleeping one is. So the loop then sleeps at once after each wake-up for {@link #BACK_OFF_NANOS}.
 *
 * <p>One instance per loop, used only on that loop's thread. Netty's contract: a count from the
 * supplier (an epoll_wait with timeout 0) makes the loop handle that many events and run its tasks,
 * then ask again; {@link SelectStrategy#SELECT} makes it block until a descriptor, a task or a
 * timer is ready.
 */
final class SpinThenSleepStrategy implements SelectStrategy {
    /** A spin time that never runs out: the loop never sleeps (busy polling). */
    static final long FOREVER = Long.MAX_VALUE;
    /** How long a loop sleeps at once after it found its CPU wanted by another thread. */
    static final long BACK_OFF_NANOS = 20_000_000;

    private final long spinNanos;
    private final long contendedNanos;
    private final LongSupplier clock;
    private boolean slept = true;
    private boolean yielded;
    private boolean worked;
    private boolean backingOff;
    private long lastBusy;
    private long lastPoll;
    private long backOffUntil;

    /** A strategy that polls for {@code spinNanos} after the last sign of work; 0 sleeps at once. */
    SpinThenSleepStrategy(long spinNanos) {
        this(spinNanos, System::nanoTime);
    }

    /** The same, reading time in nanoseconds from {@code clock}. */
    SpinThenSleepStrategy(long spinNanos, LongSupplier clock) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spin time must not be negative: " + spinNanos);
        }
        this.spinNanos = spinNanos;
        // A yield that let another thread run for half the window means the CPU is contended.
        this.contendedNanos = spinNanos / 2;
        this.clock = clock;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (spinNanos == 0) {
            return hasTasks ? selectNow.get() : SELECT;
        }
        if (spinNanos == FOREVER) {
            return poll(selectNow, hasTasks, 0);
        }
        long now = clock.getAsLong();
        if (yielded && now - lastPoll > contendedNanos) {
            backingOff = true;
            backOffUntil = now + BACK_OFF_NANOS;
        }
        yielded = false;
        if (backingOff) {
            if (now - backOffUntil < 0) {
                slept = true;
                return hasTasks ? selectNow.get() : SELECT;
            }
            backingOff = false;
        }
        if (slept || worked) {
            // Back from a blocking wait, or from handling frames: more are likely to follow, so
            // the window runs from the end of that work.
            slept = false;
            worked = false;
            lastBusy = now;
        }
        if (hasTasks || now - lastBusy < spinNanos) {
            return poll(selectNow, hasTasks, now);
        }
        slept = true;
        return SELECT;
    }

    private int poll(IntSupplier selectNow, boolean hasTasks, long now) throws Exception {
        int ready = selectNow.get();
        if (ready > 0) {
            worked = true;
        } else if (!hasTasks) {
            // Let whatever else wants this CPU run now rather than at the end of our slice.
            lastPoll = now;
            yielded = true;
            Thread.yield();
        }
        return ready;
    }
}

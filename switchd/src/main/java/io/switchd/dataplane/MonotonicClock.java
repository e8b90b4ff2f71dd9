package io.switchd.dataplane;

/** Milliseconds since the daemon started, always positive; the MAC table's notion of time. */
public final class MonotonicClock {
    private static final long START = System.nanoTime();

    private MonotonicClock() {}

    /** The current time in milliseconds, starting at 1. */
    public static long millis() {
        return millis(System.nanoTime());
    }

    /** The time in milliseconds of a System.nanoTime() reading. */
    public static long millis(long nanoTime) {
        return (nanoTime - START) / 1_000_000 + 1;
    }
}

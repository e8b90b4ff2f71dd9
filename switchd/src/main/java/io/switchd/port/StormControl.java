package io.switchd.port;

/**
 * Token buckets that hold broadcast, multicast and unknown unicast arriving on one port to a rate
 * in frames per second, with a burst. Only the loop that reads the port touches a bucket's state;
 * a settings change replaces the whole object.
 */
public final class StormControl {
    /** Which bucket a frame draws from. */
    public static final int BROADCAST = 0;
    public static final int MULTICAST = 1;
    public static final int UNKNOWN_UNICAST = 2;
    /** No limit. */
    public static final long UNLIMITED = 0;
    private static final long NANOS = 1_000_000_000L;
    /** Gaps longer than this refill no more (and keep elapsed * rate within a long). */
    private static final long MAX_GAP = 10 * NANOS;

    private final long[] rate = new long[3];
    private final long burst;
    /** Tokens in billionths, so a refill after any gap, however short, is never rounded away. */
    private final long[] tokens = new long[3];
    private final long[] last = new long[3];

    /** Buckets for the given rates (frames per second, 0 for none) and burst (frames). */
    public StormControl(long broadcast, long multicast, long unknownUnicast, long burst) {
        rate[BROADCAST] = broadcast;
        rate[MULTICAST] = multicast;
        rate[UNKNOWN_UNICAST] = unknownUnicast;
        this.burst = Math.max(1, burst);
        for (int i = 0; i < 3; i++) {
            tokens[i] = this.burst * NANOS;
        }
    }

    /** Whether any bucket limits anything. */
    public boolean enabled() {
        return rate[0] + rate[1] + rate[2] > 0;
    }

    /** The configured rate of a bucket. */
    public long rate(int bucket) {
        return rate[bucket];
    }

    /** The burst, in frames. */
    public long burst() {
        return burst;
    }

    /** Takes one frame's token from {@code bucket} at {@code nowNanos}; false means drop it. */
    public boolean admit(int bucket, long nowNanos) {
        long r = rate[bucket];
        if (r == UNLIMITED) {
            return true;
        }
        long elapsed = Math.min(Math.max(0, nowNanos - last[bucket]), MAX_GAP);
        last[bucket] = nowNanos;
        long t = Math.min(burst * NANOS, tokens[bucket] + elapsed * r);
        if (t < NANOS) {
            tokens[bucket] = t;
            return false;
        }
        tokens[bucket] = t - NANOS;
        return true;
    }
}

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

    private final long[] rate = new long[3];
    private final long burst;
    private final long[] tokensMilli = new long[3];
    private final long[] last = new long[3];

    /** Buckets for the given rates (frames per second, 0 for none) and burst (frames). */
    public StormControl(long broadcast, long multicast, long unknownUnicast, long burst) {
        rate[BROADCAST] = broadcast;
        rate[MULTICAST] = multicast;
        rate[UNKNOWN_UNICAST] = unknownUnicast;
        this.burst = Math.max(1, burst);
        for (int i = 0; i < 3; i++) {
            tokensMilli[i] = this.burst * 1000;
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
        long elapsed = nowNanos - last[bucket];
        last[bucket] = nowNanos;
        // thousandths of a token, so low rates still refill between frames close together
        long add = elapsed >= NANOS * 1000 ? burst * 1000 : elapsed * r / 1_000_000;
        long tokens = Math.min(burst * 1000, tokensMilli[bucket] + Math.max(0, add));
        if (tokens < 1000) {
            tokensMilli[bucket] = tokens;
            return false;
        }
        tokensMilli[bucket] = tokens - 1000;
        return true;
    }
}

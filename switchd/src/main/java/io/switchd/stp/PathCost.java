package io.switchd.stp;

/** Port path costs (802.1D-2004 17.14, table 17-3). */
public final class PathCost {
    public static final long MIN = 1;
    public static final long MAX = 200_000_000;
    /** What a link of unknown speed costs: a 10 Gb/s link's, which is what veth reports. */
    public static final long UNKNOWN_SPEED = forSpeed(10_000);

    private PathCost() {}

    /**
     * Table 17-3's recommended cost for a link of {@code megabitsPerSecond}: 20,000,000 divided by
     * the speed in Mb/s (20,000 for 1 Gb/s, 2,000 for 10 Gb/s), within 1 and 200,000,000; a speed
     * of zero or less (unknown) gets {@link #UNKNOWN_SPEED}.
     */
    public static long forSpeed(long megabitsPerSecond) {
        if (megabitsPerSecond <= 0) {
            return UNKNOWN_SPEED;
        }
        return Math.max(MIN, Math.min(MAX, 20_000_000L / megabitsPerSecond));
    }

    /** Rejects a cost 802.1D-2004 does not allow, in the user's words; 0 stands for auto. */
    public static void check(long cost) {
        if (cost != 0 && (cost < MIN || cost > MAX)) {
            throw new IllegalArgumentException("port path cost " + cost + " is not between 1 and 200000000");
        }
    }
}

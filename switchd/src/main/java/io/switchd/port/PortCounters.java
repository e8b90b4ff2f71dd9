package io.switchd.port;

import io.switchd.metrics.StripedCounters;

/**
 * Counter ids of a port's {@link StripedCounters}: rx/tx frames and bytes, the BPDUs the spanning
 * tree heard and sent on it, then one per {@link DropReason}.
 */
public final class PortCounters {
    public static final int RX_FRAMES = 0;
    public static final int RX_BYTES = 1;
    public static final int TX_FRAMES = 2;
    public static final int TX_BYTES = 3;
    public static final int RX_BPDUS = 4;
    public static final int TX_BPDUS = 5;
    private static final int FIRST_DROP = 6;
    /** How many counters a port has. */
    public static final int COUNT = FIRST_DROP + DropReason.values().length;

    private PortCounters() {}

    /** The counter id of a drop reason. */
    public static int drop(DropReason reason) {
        return FIRST_DROP + reason.ordinal();
    }

    /** A port's counter set for {@code stripes} writer threads. */
    public static StripedCounters create(int stripes) {
        return new StripedCounters(COUNT, stripes);
    }
}

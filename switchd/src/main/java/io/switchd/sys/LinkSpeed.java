package io.switchd.sys;

/**
 * A link's speed and duplex as its driver reports them: what the spanning tree's automatic path
 * cost and point-to-point detection follow. {@code megabitsPerSecond} is -1 and {@code fullDuplex}
 * null where the driver does not say.
 */
public record LinkSpeed(long megabitsPerSecond, Boolean fullDuplex) {
    /** Nothing known. */
    public static final LinkSpeed UNKNOWN = new LinkSpeed(-1, null);

    /**
     * Whether the link is point to point for RSTP's proposal/agreement: full duplex is (802.1D-2004
     * 6.4.3's auto detection), and so is a link whose duplex is unknown, as veths, TAPs and today's
     * NICs all are.
     */
    public boolean pointToPoint() {
        return fullDuplex == null || fullDuplex;
    }
}

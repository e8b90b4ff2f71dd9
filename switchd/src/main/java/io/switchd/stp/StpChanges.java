package io.switchd.stp;

/** How many topology changes a bridge's tree has started or heard of, and how often its root changed. */
public record StpChanges(long topology, long root) {
    /** A bridge that runs no tree. */
    public static final StpChanges NONE = new StpChanges(0, 0);
}

package io.switchd.bridge;

import io.switchd.config.MirrorConfig;
import io.switchd.metrics.StripedCounters;

/**
 * One running mirror: its configuration and the count of frames it copied, which the loops add to
 * (one stripe each) and the control plane reads. A reload that leaves the configuration alone
 * keeps this object, and so its count.
 */
public final class Mirror {
    private static final int COPIES = 0;
    private final MirrorConfig config;
    private final StripedCounters counters;
    /** Bit {@code v % 64} of word {@code v / 64} set for each VLAN selected; null for all VLANs. */
    private final long[] vlans;

    /** A mirror as {@code config} says, counting on {@code stripes} loops. */
    public Mirror(MirrorConfig config, int stripes) {
        this.config = config;
        this.counters = new StripedCounters(1, stripes);
        if (config.selectVlans().isEmpty()) {
            vlans = null;
        } else {
            vlans = new long[64];
            for (int v : config.selectVlans()) {
                vlans[v >>> 6] |= 1L << v;
            }
        }
    }

    /** Whether a frame on {@code vlan} (as the bridge classified it) is one this mirror copies. */
    boolean selectsVlan(int vlan) {
        return vlans == null || (vlans[vlan >>> 6] & (1L << vlan)) != 0;
    }

    /** Counts one copy, on the loop's stripe. */
    void copied(int stripe) {
        counters.increment(stripe, COPIES);
    }

    /** The mirror's configuration. */
    public MirrorConfig config() {
        return config;
    }

    /** The mirror's name. */
    public String name() {
        return config.name();
    }

    /** How many frames the mirror has copied to its output since it started. */
    public long copies() {
        return counters.get(COPIES);
    }
}

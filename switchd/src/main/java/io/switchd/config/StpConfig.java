package io.switchd.config;

import io.switchd.stp.BridgeId;
import io.switchd.stp.StpMode;
import io.switchd.stp.StpTimes;

/**
 * A bridge's spanning tree settings ({@code bridges.NAME.stp}): which protocol it speaks, if any,
 * its bridge priority and the times it gives the tree while it is root, in whole seconds.
 *
 * @param mode RSTP or STP; null when the bridge runs none ({@code mode = off}) and floods BPDUs
 */
public record StpConfig(StpMode mode, int priority, int helloTime, int maxAge, int forwardDelay) {
    /** No spanning tree, with 802.1D's defaults for when it is turned on. */
    public static final StpConfig OFF = new StpConfig(null, BridgeId.DEFAULT_PRIORITY, 2, 20, 15);

    /** Rejects what 802.1D does not allow, with the reason in the user's words. */
    public StpConfig {
        BridgeId.checkPriority(priority);
        StpTimes.bridge(helloTime, maxAge, forwardDelay);
    }

    /** Whether the bridge runs a spanning tree. */
    public boolean enabled() {
        return mode != null;
    }

    /** The mode in config words: rstp, stp or off. */
    public String modeName() {
        return mode == null ? "off" : mode.label();
    }
}

package io.switchd.config;

import io.switchd.stp.EdgeMode;
import io.switchd.stp.PathCost;
import io.switchd.stp.PortId;

/**
 * A port's spanning tree settings ({@code ports.IFNAME.stp}); they matter only on a bridge that
 * runs one.
 *
 * @param cost the port path cost, 0 for auto (from the link speed)
 */
public record PortStpConfig(long cost, int priority, EdgeMode edge, boolean bpduGuard, boolean rootGuard) {
    /** Auto cost, priority 128, auto edge, no guards. */
    public static final PortStpConfig DEFAULT = new PortStpConfig(0, PortId.DEFAULT_PRIORITY, EdgeMode.AUTO, false,
            false);

    /** Rejects what 802.1D does not allow, with the reason in the user's words. */
    public PortStpConfig {
        PathCost.check(cost);
        PortId.checkPriority(priority);
    }

    /** The settings in config words, as a reload compares them. */
    public String describe() {
        return "cost " + (cost == 0 ? "auto" : Long.toString(cost)) + " priority " + priority + " edge "
                + edgeName(edge) + " bpdu-guard " + bpduGuard + " root-guard " + rootGuard;
    }

    /** The edge mode in config words: auto, true or false. */
    public static String edgeName(EdgeMode edge) {
        return switch (edge) {
            case AUTO -> "auto";
            case ON -> "true";
            case OFF -> "false";
        };
    }
}

package io.switchd.stp;

/**
 * The first four components of an 802.1D-2004 spanning tree priority vector (17.5, 17.6): root
 * bridge, root path cost, designated bridge and designated port. The fifth, the port a vector was
 * received on, only breaks ties when a bridge chooses its root port, which does that itself.
 * Lower is better in every component.
 */
public record PriorityVector(long rootId, long rootPathCost, long designatedBridgeId, int designatedPortId) {

    /** The vector a bridge announces while it thinks itself root: {B : 0 : B : 0}. */
    public static PriorityVector ofBridge(long bridgeId) {
        return new PriorityVector(bridgeId, 0, bridgeId, 0);
    }

    /** Orders vectors component by component (17.6): negative when this one is better. */
    public int compareTo(PriorityVector other) {
        int c = BridgeId.compare(rootId, other.rootId);
        if (c == 0) {
            c = Long.compare(rootPathCost, other.rootPathCost);
        }
        if (c == 0) {
            c = BridgeId.compare(designatedBridgeId, other.designatedBridgeId);
        }
        if (c == 0) {
            c = Integer.compare(designatedPortId, other.designatedPortId);
        }
        return c;
    }

    /** Strictly better. */
    public boolean betterThan(PriorityVector other) {
        return compareTo(other) < 0;
    }

    /**
     * 17.6's "superior": better, or sent by the same designated bridge and port (address and port
     * number, priorities aside), since what a port says now replaces what it said before, even if
     * it is worse. A vector supersedes itself.
     */
    public boolean supersedes(PriorityVector other) {
        return betterThan(other)
                || (BridgeId.mac(designatedBridgeId) == BridgeId.mac(other.designatedBridgeId)
                        && PortId.number(designatedPortId) == PortId.number(other.designatedPortId));
    }

    /** The same vector with {@code cost} added to its root path cost. */
    public PriorityVector plusCost(long cost) {
        return new PriorityVector(rootId, rootPathCost + cost, designatedBridgeId, designatedPortId);
    }
}

package io.switchd.stp;

import java.util.List;

/**
 * A read-only picture of one bridge's spanning tree, for `stp show`: who is root, through which
 * port and at what cost, how often the topology changed, and each port's role and state.
 *
 * @param rootPort the root port's number, 0 when this bridge is the root
 * @param rootChanges how often another bridge became the root this bridge follows (a new priority
 *        for the same bridge is no change)
 * @param secondsSinceTopologyChange -1 when there has been none
 */
public record RstpStatus(StpMode mode, long bridgeId, long rootId, int rootPort, long rootCost, long rootChanges,
        long topologyChanges, long secondsSinceTopologyChange, List<Port> ports) {

    /** Whether this bridge is the root of the tree. */
    public boolean isRoot() {
        return rootId == bridgeId;
    }

    /**
     * One port's part.
     *
     * @param edge whether it is an edge port now (17.19.17 operEdge)
     * @param rstp whether it speaks RSTP, false where it fell back to STP for an 802.1D neighbour
     */
    public record Port(int number, PortRole role, StpState state, boolean edge, long cost, int priority,
            boolean rstp, boolean bpduGuardTripped) {
    }
}

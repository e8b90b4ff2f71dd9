package io.switchd.api.model;

import java.util.List;

/**
 * One bridge's spanning tree as {@code GET /v1/stp} shows it. mode is rstp, stp or off (then the
 * ids, root port and last change are null and ports empty); ids are written as the kernel bridge
 * writes them ({@code 8000.02aabbccddee}); root_port is null while this bridge is the root;
 * last_topology_change is in seconds ago, null when there has been none.
 */
public record StpInfo(String bridge, String mode, String bridgeId, String rootId, String rootPort, long rootCost,
                      long topologyChanges, Long lastTopologyChange, List<Port> ports) {
    /** One port's part: role root, designated, alternate, backup or disabled; state discarding, learning or forwarding. */
    public record Port(String name, String role, String state, boolean edge, long cost, int priority) {}
}

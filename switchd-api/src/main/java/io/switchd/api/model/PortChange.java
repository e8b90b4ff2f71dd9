package io.switchd.api.model;

import java.util.List;

/**
 * {@code PATCH /v1/bridges/{br}/ports/{port}}: any of these, the rest unchanged. vlan_mode
 * transparent clears the VLAN settings; native_vlan 0 removes a trunk's native VLAN; vlans are
 * ids or ranges ("10-20"); storm rates are frames per second, 0 for none. The spanning tree's:
 * stp_cost 1 to 200000000, 0 for auto; stp_priority 0 to 240 in steps of 16; edge on, off or auto;
 * bpdu_guard and root_guard.
 */
public record PortChange(String admin, String vlanMode, Integer vlan, List<String> vlans, Integer nativeVlan,
                         Integer macLimit, Boolean learning, Boolean flood, Boolean locked, Boolean isolated,
                         Long stormBroadcast, Long stormMulticast, Long stormUnknownUnicast, Long stormBurst,
                         Long stpCost, Integer stpPriority, String edge, Boolean bpduGuard, Boolean rootGuard) {
    /** The highest VLAN id a port may be in; 4095 is reserved. */
    public static final int MAX_VLAN = 4094;
    /** The highest storm-control rate (frames per second) and burst: far above any link's frame rate. */
    public static final long MAX_STORM = 100_000_000;

    /** A change that leaves the spanning tree settings alone. */
    public PortChange(String admin, String vlanMode, Integer vlan, List<String> vlans, Integer nativeVlan,
                      Integer macLimit, Boolean learning, Boolean flood, Boolean locked, Boolean isolated,
                      Long stormBroadcast, Long stormMulticast, Long stormUnknownUnicast, Long stormBurst) {
        this(admin, vlanMode, vlan, vlans, nativeVlan, macLimit, learning, flood, locked, isolated, stormBroadcast,
                stormMulticast, stormUnknownUnicast, stormBurst, null, null, null, null, null);
    }

    /** Only the administrative state. */
    public static PortChange admin(String admin) {
        return new PortChange(admin, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}

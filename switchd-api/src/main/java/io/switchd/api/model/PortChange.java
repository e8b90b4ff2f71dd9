package io.switchd.api.model;

import java.util.List;

/**
 * {@code PATCH /v1/bridges/{br}/ports/{port}}: any of these, the rest unchanged. vlan_mode
 * transparent clears the VLAN settings; native_vlan 0 removes a trunk's native VLAN; vlans are
 * ids or ranges ("10-20"); storm rates are frames per second, 0 for none.
 */
public record PortChange(String admin, String vlanMode, Integer vlan, List<String> vlans, Integer nativeVlan,
                         Integer macLimit, Boolean learning, Boolean flood, Boolean locked, Boolean isolated,
                         Long stormBroadcast, Long stormMulticast, Long stormUnknownUnicast, Long stormBurst) {
    /** The highest VLAN id a port may be in; 4095 is reserved. */
    public static final int MAX_VLAN = 4094;
    /** The highest storm-control rate (frames per second) and burst: far above any link's frame rate. */
    public static final long MAX_STORM = 100_000_000;

    /** Only the administrative state. */
    public static PortChange admin(String admin) {
        return new PortChange(admin, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}

package io.switchd.port;

/** How a port treats 802.1Q tags. */
public enum VlanMode {
    /** No VLAN configuration: untagged frames are VLAN 0, tagged frames keep their tag (a trunk of every VLAN, native 0). */
    TRANSPARENT,
    /** One VLAN, untagged in and out. */
    ACCESS,
    /** Listed VLANs, tagged; optionally one native VLAN, untagged. */
    TRUNK;

    /** The name in configuration and the API. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

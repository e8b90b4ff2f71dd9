package io.switchd.api.model;

/**
 * A port as {@code GET /v1/bridges/{br}/ports} shows it: state is up, down, admin-down or absent;
 * vlan_mode transparent, access or trunk (with vlan, or vlans and native_vlan); the security flags;
 * storm-control rates in frames per second (0: none).
 */
public record PortInfo(String bridge, String name, String type, String state, int mtu, boolean persistent,
                       String vlanMode, Integer vlan, String vlans, Integer nativeVlan, int macLimit,
                       boolean learning, boolean flood, boolean locked, boolean isolated, StormInfo stormControl) {
    /** Storm-control settings. */
    public record StormInfo(long broadcast, long multicast, long unknownUnicast, long burst) {}
}

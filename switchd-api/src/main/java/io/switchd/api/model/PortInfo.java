package io.switchd.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A port as {@code GET /v1/bridges/{br}/ports} shows it: state is up, down, admin-down or absent;
 * reason says why a port is not up (absent, admin-down, bpdu-guard, link-down), null when it is;
 * vlan_mode transparent, access or trunk (with vlan, or vlans and native_vlan); the security flags;
 * storm-control rates in frames per second (0: none). origin is config (the config file declares
 * it) or api (added at run time, by owner if one was given); overrides are the settings (config
 * keys) of a config port that the API changed from the config file's; settings says, setting by
 * setting, its value and where it comes from: config, api or default. stp_state is what the
 * spanning tree lets the port do: discarding, learning or forwarding (always forwarding on a bridge
 * that runs none). A vhost-user port also has socket (the unix socket's path), mode (server: switchd
 * listens; client: it connects to the VM) and features (the virtio features agreed with the VM's
 * frontend, by name). A vxlan port has vni, local (this host's underlay address) and remotes (the
 * flood list in force, each with its source; a peer that is both static and in the directory is
 * listed once per source), and ttl and tos when set (left out: the kernel's
 * defaults). Ports of other kinds leave these out. mirror_output names the mirror whose output the
 * port is (it then takes no part in forwarding); left out for any other port.
 */
public record PortInfo(String bridge, String name, String type, String state, String reason, int mtu, boolean persistent,
                       String vlanMode, Integer vlan, String vlans, Integer nativeVlan, int macLimit,
                       boolean learning, boolean flood, boolean locked, boolean isolated, StormInfo stormControl,
                       String origin, String owner, List<String> overrides, List<SettingInfo> settings,
                       String stpState,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String socket,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String mode,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<String> features,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer vni,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String local,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<Remote> remotes,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer ttl,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer tos,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String mirrorOutput) {
    /**
     * A remote VTEP in a vxlan port's flood list, and where it comes from: static (the port's
     * remotes) or etcd (another host registered on the port's VNI in the directory).
     */
    public record Remote(String address, String source) {
        /** From the port's own remotes. */
        public static final String STATIC = "static";
        /** From the etcd directory. */
        public static final String ETCD = "etcd";
    }

    /** Storm-control settings. */
    public record StormInfo(long broadcast, long multicast, long unknownUnicast, long burst) {}

    /** One setting in the config file's words ("vlan-mode", "access 10") and where its value comes from. */
    public record SettingInfo(String key, String value, String from) {}
}

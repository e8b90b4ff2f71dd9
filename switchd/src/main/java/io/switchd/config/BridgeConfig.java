package io.switchd.config;

import java.time.Duration;
import java.util.List;

/** One configured bridge: its table settings, spanning tree settings, ports, static entries and mirrors. */
public record BridgeConfig(String name, Duration ageingTime, int macTableSize, int groupForwardMask,
                           List<PortConfig> ports, List<StaticMac> staticMacs, StpConfig stp,
                           List<MirrorConfig> mirrors) {
    public BridgeConfig {
        ports = List.copyOf(ports);
        staticMacs = List.copyOf(staticMacs);
        mirrors = List.copyOf(mirrors);
    }

    /** A bridge without mirrors. */
    public BridgeConfig(String name, Duration ageingTime, int macTableSize, int groupForwardMask,
                        List<PortConfig> ports, List<StaticMac> staticMacs, StpConfig stp) {
        this(name, ageingTime, macTableSize, groupForwardMask, ports, staticMacs, stp, List.of());
    }

    /** A bridge that runs no spanning tree and has no mirror. */
    public BridgeConfig(String name, Duration ageingTime, int macTableSize, int groupForwardMask,
                        List<PortConfig> ports, List<StaticMac> staticMacs) {
        this(name, ageingTime, macTableSize, groupForwardMask, ports, staticMacs, StpConfig.OFF);
    }

    /** The same bridge settings and mirrors with these ports and static entries. */
    public BridgeConfig withMembers(List<PortConfig> newPorts, List<StaticMac> newStatics) {
        return new BridgeConfig(name, ageingTime, macTableSize, groupForwardMask, newPorts, newStatics, stp, mirrors);
    }

    /** The same bridge with these mirrors. */
    public BridgeConfig withMirrors(List<MirrorConfig> newMirrors) {
        return new BridgeConfig(name, ageingTime, macTableSize, groupForwardMask, ports, staticMacs, stp, newMirrors);
    }
}

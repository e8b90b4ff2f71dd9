package io.switchd.config;

import java.time.Duration;
import java.util.List;

/** One configured bridge: its table settings, spanning tree settings, ports and static entries. */
public record BridgeConfig(String name, Duration ageingTime, int macTableSize, int groupForwardMask,
                           List<PortConfig> ports, List<StaticMac> staticMacs, StpConfig stp) {
    public BridgeConfig {
        ports = List.copyOf(ports);
        staticMacs = List.copyOf(staticMacs);
    }

    /** A bridge that runs no spanning tree. */
    public BridgeConfig(String name, Duration ageingTime, int macTableSize, int groupForwardMask,
                        List<PortConfig> ports, List<StaticMac> staticMacs) {
        this(name, ageingTime, macTableSize, groupForwardMask, ports, staticMacs, StpConfig.OFF);
    }

    /** The same bridge settings with these ports and static entries. */
    public BridgeConfig withMembers(List<PortConfig> newPorts, List<StaticMac> newStatics) {
        return new BridgeConfig(name, ageingTime, macTableSize, groupForwardMask, newPorts, newStatics, stp);
    }
}

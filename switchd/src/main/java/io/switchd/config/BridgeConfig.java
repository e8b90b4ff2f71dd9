package io.switchd.config;

import java.time.Duration;
import java.util.List;

/** One configured bridge: its table settings, ports and static entries. */
public record BridgeConfig(String name, Duration ageingTime, int macTableSize, int groupForwardMask,
                           List<PortConfig> ports, List<StaticMac> staticMacs) {
    public BridgeConfig {
        ports = List.copyOf(ports);
        staticMacs = List.copyOf(staticMacs);
    }
}

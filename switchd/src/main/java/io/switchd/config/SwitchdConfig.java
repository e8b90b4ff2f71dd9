package io.switchd.config;

import java.util.List;

/** The whole validated configuration of a daemon. */
public record SwitchdConfig(int threads, List<BridgeConfig> bridges) {
    public SwitchdConfig {
        bridges = List.copyOf(bridges);
    }
}

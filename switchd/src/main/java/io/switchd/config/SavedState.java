package io.switchd.config;

import java.util.List;

/**
 * What the state file holds: the bridges as the API left them, and the config file's bridges
 * they were based on ({@code base}; null in a file written before switchd could reload).
 */
public record SavedState(List<BridgeConfig> bridges, List<BridgeConfig> base) {
    public SavedState {
        bridges = List.copyOf(bridges);
        base = base == null ? null : List.copyOf(base);
    }
}

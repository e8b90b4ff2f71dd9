package io.switchd.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole validated configuration of a daemon, as the config file gives it. {@code bridgeDefaults}
 * (named "") is what a bridge added at run time starts from; {@code etcd} is null without a
 * {@code switchd.etcd} section (no directory).
 */
public record SwitchdConfig(int threads, boolean busyPoll, Duration spinBeforeSleep, ControlConfig control, MetricsConfig metrics, Path stateFile,
                            EtcdConfig etcd, BridgeConfig bridgeDefaults, List<BridgeConfig> bridges) {
    public SwitchdConfig {
        bridges = List.copyOf(bridges);
    }

    /** The same configuration with other bridges. */
    public SwitchdConfig withBridges(List<BridgeConfig> newBridges) {
        return new SwitchdConfig(threads, busyPoll, spinBeforeSleep, control, metrics, stateFile, etcd, bridgeDefaults, newBridges);
    }
}

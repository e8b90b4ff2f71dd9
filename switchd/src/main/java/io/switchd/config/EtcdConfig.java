package io.switchd.config;

import java.time.Duration;
import java.util.List;

/**
 * The etcd directory ({@code switchd.etcd}): the members' client URLs, the key prefix every
 * switchd of a fleet shares, and the lease a host's registration and MACs live under (a host that
 * dies is gone from the others within it). Absent from the config: no directory, no connection.
 */
public record EtcdConfig(List<String> endpoints, String prefix, Duration lease) {
    /** The prefix when none is given. */
    public static final String DEFAULT_PREFIX = "/switchd";
    /** The lease when none is given. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

    public EtcdConfig {
        endpoints = List.copyOf(endpoints);
    }
}

package io.switchd.api.model;

/**
 * {@code POST /v1/bridges/{br}/ports}; type tap or netdev (default netdev); owner, optional, a
 * label of who added it (a hook: "switchd-ifup", "libvirt:vm1"), so that a deletion asking for
 * that owner removes only what it added.
 */
public record NewPort(String name, String type, Boolean persistent, String owner) {}

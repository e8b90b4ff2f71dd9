package io.switchd.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/bridges/{br}/ports}; type tap, netdev or vhost-user (default netdev); persistent
 * for a tap only; socket (an absolute path, required) and mode (server, the default, or client)
 * for a vhost-user port only; owner, optional, a label of who added it (a hook: "switchd-ifup",
 * "libvirt:vm1"), so that a deletion asking for that owner removes only what it added.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NewPort(String name, String type, Boolean persistent, String owner, String socket, String mode) {
    /** A tap or netdev port. */
    public NewPort(String name, String type, Boolean persistent, String owner) {
        this(name, type, persistent, owner, null, null);
    }
}

package io.switchd.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * {@code POST /v1/bridges/{br}/ports}; type tap, netdev, vhost-user or vxlan (default netdev); persistent
 * for a tap only; socket (an absolute path, required) and mode (server, the default, or client)
 * for a vhost-user port only; vni and local (required), remotes (the static flood list), dstport
 * (4789 by default), device (the underlay interface, optional), ttl (1 to 255) and tos (0 to 255;
 * both by default the kernel's) for a vxlan port only; owner, optional, a label of who added it (a hook: "switchd-ifup",
 * "libvirt:vm1"), so that a deletion asking for that owner removes only what it added.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NewPort(String name, String type, Boolean persistent, String owner, String socket, String mode,
                      Integer vni, String local, List<String> remotes, Integer dstport, String device, Integer ttl,
                      Integer tos) {
    /** A tap or netdev port. */
    public NewPort(String name, String type, Boolean persistent, String owner) {
        this(name, type, persistent, owner, null, null);
    }

    /** A tap, netdev or vhost-user port. */
    public NewPort(String name, String type, Boolean persistent, String owner, String socket, String mode) {
        this(name, type, persistent, owner, socket, mode, null, null, null, null, null, null, null);
    }
}

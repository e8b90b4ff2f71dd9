package io.switchd.config;

/** How a port reaches its interface. */
public enum PortType {
    /** switchd opens /dev/net/tun and holds the TAP descriptor. */
    TAP,
    /** An existing interface, attached through an AF_PACKET socket. */
    NETDEV,
    /** A VM's virtio rings, shared with its frontend over a vhost-user unix socket. */
    VHOST_USER,
    /** A kernel vxlan device switchd creates for the port and attaches to like a netdev. */
    VXLAN;

    /** The name used in configuration and the API: tap, netdev, vhost-user, vxlan. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

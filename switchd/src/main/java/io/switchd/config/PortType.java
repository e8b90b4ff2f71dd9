package io.switchd.config;

/** How a port reaches its interface. */
public enum PortType {
    /** switchd opens /dev/net/tun and holds the TAP descriptor. */
    TAP,
    /** An existing interface, attached through an AF_PACKET socket. */
    NETDEV;

    /** The name used in configuration and the API. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

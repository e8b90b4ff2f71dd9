package io.switchd.port.kind;

import io.switchd.config.PortType;

/** A netdev port's settings: none, the interface's name (the port's) says it all. */
public record NetdevSettings() implements PortKindSettings {
    /** The only value. */
    public static final NetdevSettings INSTANCE = new NetdevSettings();

    @Override
    public PortType type() {
        return PortType.NETDEV;
    }
}

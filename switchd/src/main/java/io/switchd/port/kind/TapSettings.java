package io.switchd.port.kind;

import io.switchd.config.PortType;

/** A TAP port's settings: whether the interface switchd creates outlives the port. */
public record TapSettings(boolean persistent) implements PortKindSettings {
    /** A TAP that goes with its port. */
    public static final TapSettings PLAIN = new TapSettings(false);

    @Override
    public PortType type() {
        return PortType.TAP;
    }
}

package io.switchd.port.kind;

import io.switchd.config.PortType;

/**
 * What one kind of port needs to know beyond what every port has: the settings of its own config
 * keys, as an immutable value. Two ports of the same kind with equal settings are attached the
 * same way; a reload that changes them replaces the port.
 */
public sealed interface PortKindSettings permits TapSettings, NetdevSettings, VhostUserSettings, VxlanSettings {
    /** The kind these settings are for. */
    PortType type();

    /** The kind that reads, opens and shows ports with these settings. */
    default PortKind kind() {
        return PortKinds.of(type());
    }
}

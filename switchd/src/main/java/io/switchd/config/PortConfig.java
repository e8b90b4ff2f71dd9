package io.switchd.config;

import io.switchd.port.PortPolicy;

/**
 * One configured bridge port, named by its Linux interface: how it is attached, whether it is
 * administratively up, and its forwarding settings (VLANs, security, storm control).
 */
public record PortConfig(String name, PortType type, boolean persistent, boolean adminUp, PortPolicy policy) {
    /** A port with the default forwarding settings. */
    public PortConfig(String name, PortType type, boolean persistent, boolean adminUp) {
        this(name, type, persistent, adminUp, PortPolicy.DEFAULT);
    }

    /** The same port with its administrative state set. */
    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, type, persistent, up, policy);
    }

    /** The same port under the name its interface now has. */
    public PortConfig withName(String newName) {
        return new PortConfig(newName, type, persistent, adminUp, policy);
    }

    /** The same port with other forwarding settings. */
    public PortConfig withPolicy(PortPolicy newPolicy) {
        return new PortConfig(name, type, persistent, adminUp, newPolicy);
    }
}

package io.switchd.config;

import io.switchd.port.PortPolicy;

/**
 * One configured bridge port, named by its Linux interface: how it is attached, whether it is
 * administratively up, its forwarding settings (VLANs, security, storm control), its spanning tree
 * settings, and who added it through the API ({@code owner}, a label such as "switchd-ifup"; null
 * for none and for the config file's ports).
 */
public record PortConfig(String name, PortType type, boolean persistent, boolean adminUp, PortPolicy policy,
                         String owner, PortStpConfig stp) {
    /** A port with the default spanning tree settings. */
    public PortConfig(String name, PortType type, boolean persistent, boolean adminUp, PortPolicy policy,
                      String owner) {
        this(name, type, persistent, adminUp, policy, owner, PortStpConfig.DEFAULT);
    }

    /** A port with the default forwarding settings. */
    public PortConfig(String name, PortType type, boolean persistent, boolean adminUp) {
        this(name, type, persistent, adminUp, PortPolicy.DEFAULT);
    }

    /** A port without an owner. */
    public PortConfig(String name, PortType type, boolean persistent, boolean adminUp, PortPolicy policy) {
        this(name, type, persistent, adminUp, policy, null);
    }

    /** The same port with its administrative state set. */
    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, type, persistent, up, policy, owner, stp);
    }

    /** The same port under the name its interface now has. */
    public PortConfig withName(String newName) {
        return new PortConfig(newName, type, persistent, adminUp, policy, owner, stp);
    }

    /** The same port with other forwarding settings. */
    public PortConfig withPolicy(PortPolicy newPolicy) {
        return new PortConfig(name, type, persistent, adminUp, newPolicy, owner, stp);
    }

    /** The same port with another owner (null for none). */
    public PortConfig withOwner(String newOwner) {
        return new PortConfig(name, type, persistent, adminUp, policy, newOwner, stp);
    }

    /** The same port with other spanning tree settings. */
    public PortConfig withStp(PortStpConfig newStp) {
        return new PortConfig(name, type, persistent, adminUp, policy, owner, newStp);
    }
}

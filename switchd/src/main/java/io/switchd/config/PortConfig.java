package io.switchd.config;

import io.switchd.port.PortPolicy;
import io.switchd.port.kind.PortKindSettings;

/**
 * One configured bridge port, named by its Linux interface (or, for a vhost-user port, by the name
 * it has on the bridge): its kind with that kind's settings ({@code kindSettings}, such as a TAP's
 * persistence or a vhost-user port's socket), whether it is administratively up, its forwarding
 * settings (VLANs, security, storm control), its spanning tree settings, and who added it through
 * the API ({@code owner}, a label such as "switchd-ifup"; null for none and for the config file's
 * ports).
 */
public record PortConfig(String name, PortKindSettings kindSettings, boolean adminUp, PortPolicy policy,
                         String owner, PortStpConfig stp) {
    /** A port with the default spanning tree settings. */
    public PortConfig(String name, PortKindSettings kindSettings, boolean adminUp, PortPolicy policy, String owner) {
        this(name, kindSettings, adminUp, policy, owner, PortStpConfig.DEFAULT);
    }

    /** A port with the default forwarding settings. */
    public PortConfig(String name, PortKindSettings kindSettings, boolean adminUp) {
        this(name, kindSettings, adminUp, PortPolicy.DEFAULT);
    }

    /** A port without an owner. */
    public PortConfig(String name, PortKindSettings kindSettings, boolean adminUp, PortPolicy policy) {
        this(name, kindSettings, adminUp, policy, null);
    }

    /** The port's kind. */
    public PortType type() {
        return kindSettings.type();
    }

    /** The same port with its administrative state set. */
    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, kindSettings, up, policy, owner, stp);
    }

    /** The same port under the name its interface now has. */
    public PortConfig withName(String newName) {
        return new PortConfig(newName, kindSettings, adminUp, policy, owner, stp);
    }

    /** The same port with other forwarding settings. */
    public PortConfig withPolicy(PortPolicy newPolicy) {
        return new PortConfig(name, kindSettings, adminUp, newPolicy, owner, stp);
    }

    /** The same port with another owner (null for none). */
    public PortConfig withOwner(String newOwner) {
        return new PortConfig(name, kindSettings, adminUp, policy, newOwner, stp);
    }

    /** The same port with other spanning tree settings. */
    public PortConfig withStp(PortStpConfig newStp) {
        return new PortConfig(name, kindSettings, adminUp, policy, owner, newStp);
    }

    /** The same port of another kind, or with other settings of its kind. */
    public PortConfig withKindSettings(PortKindSettings next) {
        return new PortConfig(name, next, adminUp, policy, owner, stp);
    }
}

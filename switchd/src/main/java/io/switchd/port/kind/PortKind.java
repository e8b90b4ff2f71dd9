package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.api.model.PortInfo;
import io.switchd.config.ConfigError;
import io.switchd.config.PortBlock;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.port.Port;
import io.switchd.sys.SysException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One kind of port (tap, netdev, vhost-user, vxlan): everything that differs between kinds, in one place.
 * How its config keys are read and checked, how an API request to add one is read and checked, how
 * it opens, what it shows and what its teardown does. The rest of switchd treats ports alike and
 * asks the port's kind ({@link PortKinds#of}) for the rest.
 */
public interface PortKind {
    /** The kind's type, as ports carry it. */
    PortType type();

    /** The name in the config file and the API: "tap", "netdev", "vhost-user". */
    default String configName() {
        return type().configName();
    }

    /** The config keys only this kind reads (besides type and what every port has). */
    Set<String> configKeys();

    /** The kind's settings from a port's block; a ConfigError naming file, line and key if they are wrong. */
    PortKindSettings read(PortBlock block) throws ConfigError;

    /**
     * The error for a port of another kind whose own block sets one of this kind's keys so that it
     * would matter, or null if it does not.
     */
    ConfigError misplaced(PortBlock block) throws ConfigError;

    /** A bad request if {@code req}, for a port of another kind, carries one of this kind's fields. */
    void refuseForeign(NewPort req) throws ControlException;

    /**
     * The settings for a port {@code name} that {@code req} adds through the API, after the checks
     * that apply to this kind (a 4xx ControlException saying what is wrong).
     */
    PortKindSettings forAdd(String name, NewPort req) throws ControlException;

    /** Opens the port {@code name} with {@code settings}; a SysException if its interface cannot be had now. */
    Port open(String name, PortKindSettings settings, DataPlane plane) throws SysException;

    /** What the API shows of the kind's settings on a port. */
    Shown shown(PortKindSettings settings, Port port);

    /** The kind's settings as config keys and values, for the state file; none that have their default. */
    Map<String, Object> configValues(PortKindSettings settings);

    /** The kind with its settings in the config file's words, as a reload compares and reports them. */
    default String describe(PortKindSettings settings) {
        StringBuilder sb = new StringBuilder(configName());
        configValues(settings).forEach((k, v) -> sb.append(' ').append(k).append(' ').append(v));
        return sb.toString();
    }

    /**
     * What a port of this kind holds that no other port may share (a vhost-user port's socket), as
     * its config key and value; null if nothing.
     */
    default Map.Entry<String, String> exclusive(PortKindSettings settings) {
        return null;
    }

    /** Whether the port is a Linux interface of its name, which the link follower waits for when absent. */
    default boolean hasInterface() {
        return true;
    }

    /** Before the operator's deletion of the port closes it: what goes with it. */
    default void deleting(Port port) {
    }

    /** After switchd's close closed the port's descriptor: says what went with it. */
    default void closed(Port port) {
    }

    /**
     * The kind's part of a port's API view. persistent is a TAP's; socket, mode and features a
     * vhost-user port's; vni, local and remotes a vxlan port's (null for the other kinds, which the
     * JSON then leaves out).
     */
    record Shown(boolean persistent, String socket, String mode, List<String> features, Integer vni, String local,
                 List<PortInfo.Remote> remotes, Integer ttl, Integer tos) {
        /** Nothing of a kind's own. */
        public static final Shown NONE = new Shown(false, null, null, null);

        /** A tap's or a vhost-user port's part. */
        public Shown(boolean persistent, String socket, String mode, List<String> features) {
            this(persistent, socket, mode, features, null, null, null, null, null);
        }
    }
}

package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.config.PortConfig;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/** Every kind of port switchd knows, by type and by name. */
public final class PortKinds {
    private static final List<PortKind> ALL = List.of(new TapKind(), new NetdevKind(), new VhostUserKind(),
            new VxlanKind());
    private static final Map<PortType, PortKind> BY_TYPE = new EnumMap<>(PortType.class);

    static {
        for (PortKind k : ALL) {
            BY_TYPE.put(k.type(), k);
        }
    }

    private PortKinds() {
    }

    /** The kind of ports of {@code type}. */
    public static PortKind of(PortType type) {
        return BY_TYPE.get(type);
    }

    /** Every kind, in the order error messages list them. */
    public static List<PortKind> all() {
        return ALL;
    }

    /** The kind called {@code name} in the config file and the API, or null. */
    public static PortKind named(String name) {
        for (PortKind k : ALL) {
            if (k.configName().equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** "tap, netdev, vhost-user or vxlan": the names, for error messages. */
    public static String names() {
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i < ALL.size() - 1; i++) {
            j.add(ALL.get(i).configName());
        }
        return j + " or " + ALL.get(ALL.size() - 1).configName();
    }

    /** The config keys of every kind. */
    public static Set<String> configKeys() {
        Set<String> out = new HashSet<>();
        for (PortKind k : ALL) {
            out.addAll(k.configKeys());
        }
        return Set.copyOf(out);
    }

    /** The kind {@code type} names in an API request (netdev when null); a bad request if none. */
    public static PortKind requested(String type) throws ControlException {
        PortKind kind = type == null ? of(PortType.NETDEV) : named(type);
        if (kind == null) {
            throw ControlException.badRequest("type must be " + names() + ", not \"" + type + "\"");
        }
        return kind;
    }

    /**
     * The settings of a port {@code name} of {@code kind} that {@code req} adds through the API,
     * with the fields of other kinds refused and the checks of its own made.
     */
    public static PortKindSettings forAdd(PortKind kind, String name, NewPort req) throws ControlException {
        for (PortKind other : ALL) {
            if (other != kind) {
                other.refuseForeign(req);
            }
        }
        return kind.forAdd(name, req);
    }

    /** A conflict if {@code pc} would share with one of {@code others} what only one port may hold (a socket). */
    public static void checkExclusive(PortConfig pc, Collection<PortConfig> others) throws ControlException {
        Map.Entry<String, String> held = pc.kindSettings().kind().exclusive(pc.kindSettings());
        if (held == null) {
            return;
        }
        for (PortConfig other : others) {
            if (held.equals(other.kindSettings().kind().exclusive(other.kindSettings()))) {
                throw ControlException.conflict(held.getKey() + " " + held.getValue() + " is port " + other.name()
                        + "'s already; each port needs its own");
            }
        }
    }
}

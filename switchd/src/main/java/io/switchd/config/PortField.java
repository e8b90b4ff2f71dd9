package io.switchd.config;

import io.switchd.port.PortPolicy;
import io.switchd.port.StormControl;
import io.switchd.port.VlanList;

/**
 * A port's settings one by one, as a reload merges and compares them: each in the config file's
 * words (two ports have the same setting exactly when the words are equal), and copied from one
 * port's configuration to another's.
 */
public enum PortField implements Setting<PortConfig> {
    /** The port's kind with that kind's settings (a TAP's persistence, a vhost-user socket): changing it re-creates the port. */
    TYPE("type") {
        @Override
        public String of(PortConfig p) {
            return p.kindSettings().kind().describe(p.kindSettings());
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withKindSettings(from.kindSettings());
        }
    },
    ADMIN("admin") {
        @Override
        public String of(PortConfig p) {
            return p.adminUp() ? "up" : "down";
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withAdminUp(from.adminUp());
        }
    },
    /** The VLAN mode with its VLANs: one setting, since its parts are only valid together. */
    VLAN("vlan-mode") {
        @Override
        public String of(PortConfig p) {
            PortPolicy pol = p.policy();
            switch (pol.mode()) {
                case ACCESS:
                    return "access " + pol.accessVlan();
                case TRUNK:
                    return "trunk" + (pol.trunkVlans().isEmpty() ? "" : " " + VlanList.format(pol.trunkVlans()))
                            + (pol.nativeVlan() >= 0 ? " native " + pol.nativeVlan() : "");
                default:
                    return "transparent";
            }
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            PortPolicy f = from.policy();
            PortPolicy.Builder b = into.policy().toBuilder();
            switch (f.mode()) {
                case ACCESS:
                    b.access(f.accessVlan());
                    break;
                case TRUNK:
                    b.trunk(f.trunkVlans(), f.nativeVlan());
                    break;
                default:
                    b.transparent();
            }
            return into.withPolicy(b.build());
        }
    },
    MAC_LIMIT("mac-limit") {
        @Override
        public String of(PortConfig p) {
            return Integer.toString(p.policy().macLimit());
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withPolicy(into.policy().toBuilder().macLimit(from.policy().macLimit()).build());
        }
    },
    LEARNING("learning") {
        @Override
        public String of(PortConfig p) {
            return onOff(p.policy().learning());
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withPolicy(into.policy().toBuilder().learning(from.policy().learning()).build());
        }
    },
    FLOOD("flood") {
        @Override
        public String of(PortConfig p) {
            return onOff(p.policy().flood());
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withPolicy(into.policy().toBuilder().flood(from.policy().flood()).build());
        }
    },
    LOCKED("locked") {
        @Override
        public String of(PortConfig p) {
            return onOff(p.policy().locked());
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withPolicy(into.policy().toBuilder().locked(from.policy().locked()).build());
        }
    },
    ISOLATED("isolated") {
        @Override
        public String of(PortConfig p) {
            return onOff(p.policy().isolated());
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withPolicy(into.policy().toBuilder().isolated(from.policy().isolated()).build());
        }
    },
    STORM("storm-control") {
        @Override
        public String of(PortConfig p) {
            StormControl s = p.policy().storm();
            if (!s.enabled()) {
                return "none";
            }
            return "broadcast " + s.rate(StormControl.BROADCAST) + " multicast " + s.rate(StormControl.MULTICAST)
                    + " unknown-unicast " + s.rate(StormControl.UNKNOWN_UNICAST) + " burst " + s.burst();
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            StormControl s = from.policy().storm();
            return into.withPolicy(into.policy().toBuilder().storm(s.rate(StormControl.BROADCAST),
                    s.rate(StormControl.MULTICAST), s.rate(StormControl.UNKNOWN_UNICAST), s.burst()).build());
        }
    },
    STP("stp") {
        @Override
        public String of(PortConfig p) {
            return p.stp().describe();
        }

        @Override
        public PortConfig copy(PortConfig into, PortConfig from) {
            return into.withStp(from.stp());
        }
    };

    private final String key;

    PortField(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    /** What differs between two ports' settings, as "key old -> new, ..."; empty when nothing does. */
    public static String describe(PortConfig from, PortConfig to) {
        return Setting.describe(values(), from, to);
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}

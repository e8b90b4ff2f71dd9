package io.switchd;

import io.switchd.api.model.PortChange;
import io.switchd.config.PortStpConfig;
import io.switchd.stp.EdgeMode;
import io.switchd.api.model.PortInfo;
import io.switchd.bridge.Bridge;
import io.switchd.config.PortConfig;
import io.switchd.port.DownReason;
import io.switchd.port.Port;
import io.switchd.port.PortPolicy;
import io.switchd.port.PortState;
import io.switchd.port.StormControl;
import io.switchd.port.VlanList;
import io.switchd.port.VlanMode;
import io.switchd.port.kind.PortKind;

import java.util.List;
import java.util.Locale;

/** Between a port's {@link PortPolicy} and the API: a change applied to it, and the view of it. */
final class PortSettings {
    private PortSettings() {}

    /** {@code current} with {@code change} applied; throws IllegalArgumentException with the reason. */
    static PortPolicy apply(PortPolicy current, PortChange change) {
        PortPolicy.Builder b = current.toBuilder();
        VlanMode mode = current.mode();
        if (change.vlanMode() != null) {
            try {
                mode = VlanMode.valueOf(change.vlanMode().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("vlan-mode must be access, trunk or transparent, not \""
                        + change.vlanMode() + "\"");
            }
        }
        boolean vlanKeys = change.vlan() != null || change.vlans() != null || change.nativeVlan() != null;
        if (change.vlanMode() != null || vlanKeys) {
            switch (mode) {
                case ACCESS: {
                    if (change.vlans() != null || change.nativeVlan() != null) {
                        throw new IllegalArgumentException("vlans and native-vlan are for trunk ports");
                    }
                    Integer vlan = change.vlan() != null ? change.vlan()
                            : current.mode() == VlanMode.ACCESS ? current.accessVlan() : null;
                    if (vlan == null) {
                        throw new IllegalArgumentException("an access port needs a vlan");
                    }
                    b.access(vlan);
                    break;
                }
                case TRUNK: {
                    if (change.vlan() != null) {
                        throw new IllegalArgumentException("vlan is for access ports; a trunk has vlans and native-vlan");
                    }
                    boolean wasTrunk = current.mode() == VlanMode.TRUNK;
                    List<Integer> vlans = change.vlans() != null ? vlans(change.vlans())
                            : wasTrunk ? current.trunkVlans() : List.of();
                    int nativeVlan = change.nativeVlan() != null ? (change.nativeVlan() == 0 ? -1 : change.nativeVlan())
                            : wasTrunk ? current.nativeVlan() : -1;
                    if (vlans.isEmpty() && nativeVlan < 0) {
                        throw new IllegalArgumentException("a trunk needs vlans, a native-vlan or both");
                    }
                    b.trunk(vlans, nativeVlan);
                    break;
                }
                default:
                    if (vlanKeys) {
                        throw new IllegalArgumentException("vlan, vlans and native-vlan need vlan-mode access or trunk");
                    }
                    b.transparent();
            }
        }
        if (change.macLimit() != null) {
            b.macLimit(change.macLimit());
        }
        if (change.learning() != null) {
            b.learning(change.learning());
        }
        if (change.flood() != null) {
            b.flood(change.flood());
        }
        if (change.locked() != null) {
            b.locked(change.locked());
        }
        if (change.isolated() != null) {
            b.isolated(change.isolated());
        }
        StormControl s = current.storm();
        if (change.stormBroadcast() != null || change.stormMulticast() != null || change.stormUnknownUnicast() != null
                || change.stormBurst() != null) {
            b.storm(or(change.stormBroadcast(), s.rate(StormControl.BROADCAST)),
                    or(change.stormMulticast(), s.rate(StormControl.MULTICAST)),
                    or(change.stormUnknownUnicast(), s.rate(StormControl.UNKNOWN_UNICAST)),
                    or(change.stormBurst(), s.burst()));
        }
        return b.build();
    }

    private static List<Integer> vlans(List<String> items) {
        try {
            return VlanList.parse(items);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vlans: " + e.getMessage(), e);
        }
    }

    /** Gives a port other forwarding settings and, unless {@code up} is null, an administrative state, in place. */
    static void reconfigure(Bridge b, Port p, PortPolicy policy, Boolean up) {
        boolean vlansChanged = vlansDiffer(p.policy(), policy);
        p.policy(policy);
        if (vlansChanged || !policy.learning() || policy.locked()) {
            b.forget(p); // entries learned under the old settings would be wrong now
        }
        if (up != null) {
            PortState before = p.state();
            p.adminUp(up);
            if (before == PortState.UP && p.state() != PortState.UP) {
                b.forget(p);
            }
            b.portsChanged();
        }
    }

    /** The reason a port shows for {@code why}: a guest error says what the guest did. */
    private static String reason(DownReason why, Port p) {
        if (why == null) {
            return null;
        }
        String detail = why == DownReason.GUEST_ERROR ? p.guestErrorDetail() : null;
        return detail == null ? why.label() : why.label() + ": " + detail;
    }

    /** Whether two settings put the port in different VLANs. */
    static boolean vlansDiffer(PortPolicy a, PortPolicy b) {
        return a.mode() != b.mode() || a.accessVlan() != b.accessVlan() || a.nativeVlan() != b.nativeVlan()
                || !a.trunkVlans().equals(b.trunkVlans());
    }

    /**
     * The API's view of a port of {@code bridge} configured as {@code pc}, with where its settings
     * come from; {@code etcdPeers}: the hosts the etcd directory put on its flood list (a vxlan port's).
     */
    static PortInfo info(String bridge, Port p, PortConfig pc, ConfigDeclarations declared, List<String> etcdPeers) {
        PortPolicy pol = p.policy();
        StormControl s = pol.storm();
        String origin = declared.portOrigin(bridge, p.name());
        List<PortInfo.SettingInfo> settings = declared.settings(bridge, pc);
        // state and reason from one reading, so that they never disagree
        DownReason why = p.downReason();
        String state = (why == null ? PortState.UP : why.state()).displayName();
        PortKind.Shown shown = pc.kindSettings().kind().shown(pc.kindSettings(), p);
        List<PortInfo.Remote> remotes = shown.remotes();
        if (!etcdPeers.isEmpty()) {
            remotes = new java.util.ArrayList<>(remotes == null ? List.of() : remotes);
            for (String r : etcdPeers) {
                remotes.add(new PortInfo.Remote(r, PortInfo.Remote.ETCD));
            }
            remotes = List.copyOf(remotes);
        }
        return new PortInfo(bridge, p.name(), p.type().configName(), state, reason(why, p), p.mtu(),
                shown.persistent(),
                pol.mode().configName(), pol.mode() == VlanMode.ACCESS ? pol.accessVlan() : null,
                pol.mode() == VlanMode.TRUNK ? VlanList.format(pol.trunkVlans()) : null,
                pol.nativeVlan() >= 0 ? pol.nativeVlan() : null, pol.macLimit(), pol.learning(), pol.flood(),
                pol.locked(), pol.isolated(), new PortInfo.StormInfo(s.rate(StormControl.BROADCAST),
                        s.rate(StormControl.MULTICAST), s.rate(StormControl.UNKNOWN_UNICAST), s.burst()),
                origin, pc.owner(), ConfigDeclarations.overrides(origin, settings), settings, p.stpState().label(),
                shown.socket(), shown.mode(), shown.features(), shown.vni(), shown.local(), remotes,
                shown.ttl(), shown.tos(), p.bridge() == null ? null : p.bridge().mirrorOutputOf(p.name()));
    }

    /** {@code current} with what {@code change} says of the spanning tree; IllegalArgumentException in the user's words. */
    static PortStpConfig apply(PortStpConfig current, PortChange change) {
        EdgeMode edge = current.edge();
        if (change.edge() != null) {
            edge = switch (change.edge().toLowerCase(java.util.Locale.ROOT)) {
                case "on" -> EdgeMode.ON;
                case "off" -> EdgeMode.OFF;
                case "auto" -> EdgeMode.AUTO;
                default -> throw new IllegalArgumentException("edge must be on, off or auto, not \"" + change.edge() + "\"");
            };
        }
        return new PortStpConfig(or(change.stpCost(), current.cost()),
                change.stpPriority() != null ? change.stpPriority() : current.priority(), edge,
                change.bpduGuard() != null ? change.bpduGuard() : current.bpduGuard(),
                change.rootGuard() != null ? change.rootGuard() : current.rootGuard());
    }

    private static long or(Long value, long fallback) {
        return value != null ? value : fallback;
    }
}

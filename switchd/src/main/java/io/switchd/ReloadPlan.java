package io.switchd;

import io.switchd.api.model.ReloadChange;
import io.switchd.config.BridgeConfig;
import io.switchd.config.BridgeField;
import io.switchd.config.ConfigMerge;
import io.switchd.config.ConfigMerge.Placed;
import io.switchd.config.MirrorConfig;
import io.switchd.config.PortConfig;
import io.switchd.config.PortField;
import io.switchd.config.StaticMac;
import io.switchd.config.SwitchdConfig;
import io.switchd.frame.MacAddress;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The steps that take a switch from the bridges it runs to the bridges it should run, in the
 * order they are taken: ports that go, move to another bridge or change type are removed first
 * (freeing their interface names), then bridges that go; then bridge settings change, new
 * bridges come, port settings change in place, new ports come, and static entries follow. A port
 * whose settings are the same in both is in no step: nothing touches it.
 */
final class ReloadPlan {
    /** What carries the steps out: the running switch. */
    interface Target {
        /** Detaches a port from a bridge that stays. */
        void removePort(String bridge, String port);

        /** Deletes a bridge with its ports. */
        void removeBridge(String bridge);

        /** Changes a bridge's own settings in place. */
        void reconfigureBridge(BridgeConfig next);

        /** Creates a bridge with its ports and static entries. */
        void addBridge(BridgeConfig bridge);

        /** Changes a port's administrative state and forwarding settings in place. */
        void reconfigurePort(String bridge, PortConfig next);

        /** Opens and attaches a port. */
        void addPort(String bridge, PortConfig port);

        /** Deletes a static entry. */
        void removeStatic(String bridge, StaticMac entry);

        /** Adds or replaces a static entry. */
        void addStatic(String bridge, StaticMac entry);

        /** Runs {@code mirrors} as the bridge's mirrors; those it keeps unchanged run on with their counts. */
        void mirrors(String bridge, List<MirrorConfig> mirrors);
    }

    /** A static entry within one bridge. */
    private record StaticKey(int vlan, long mac) {}

    /**
     * One step and the change it makes; {@code shown} is false for a step that is half of a change
     * shown by another (a re-created port's removal), whose change is named only if it fails.
     */
    record Step(ReloadChange change, boolean shown, Consumer<Target> action) {}

    private final List<Step> steps;
    private final int unchangedPorts;

    private ReloadPlan(List<Step> steps, int unchangedPorts) {
        this.steps = List.copyOf(steps);
        this.unchangedPorts = unchangedPorts;
    }

    /** The steps from {@code running} to {@code target}. */
    static ReloadPlan between(List<BridgeConfig> running, List<BridgeConfig> target) {
        Map<String, BridgeConfig> r = ConfigMerge.byName(running);
        Map<String, BridgeConfig> t = ConfigMerge.byName(target);
        Map<String, Placed> pr = ConfigMerge.ports(running);
        Map<String, Placed> pt = ConfigMerge.ports(target);
        List<Step> steps = new ArrayList<>();
        Set<String> opened = new HashSet<>();

        for (Placed p : pr.values()) {
            String name = p.port().name();
            Placed q = pt.get(name);
            if (!t.containsKey(p.bridge())) {
                continue; // goes with its bridge
            }
            if (q == null) {
                steps.add(step("removed", "port", p.bridge() + "/" + name, "", x -> x.removePort(p.bridge(), name)));
            } else if (!q.bridge().equals(p.bridge())) {
                steps.add(step("removed", "port", p.bridge() + "/" + name, "moved to bridge " + q.bridge(),
                        x -> x.removePort(p.bridge(), name)));
            } else if (!PortField.TYPE.of(q.port()).equals(PortField.TYPE.of(p.port()))) {
                steps.add(new Step(new ReloadChange("removed", "port", p.bridge() + "/" + name, "to re-create it"),
                        false, x -> x.removePort(p.bridge(), name)));
            }
        }
        for (BridgeConfig b : r.values()) {
            if (!t.containsKey(b.name())) {
                steps.add(step("removed", "bridge", b.name(), b.ports().size() + " port(s)",
                        x -> x.removeBridge(b.name())));
            }
        }
        for (BridgeConfig b : t.values()) {
            BridgeConfig old = r.get(b.name());
            if (old != null && !BridgeField.sameSettings(old, b)) {
                steps.add(step("changed", "bridge", b.name(), BridgeField.describe(old, b), x -> x.reconfigureBridge(b)));
            }
        }
        for (BridgeConfig b : t.values()) {
            if (!r.containsKey(b.name())) {
                steps.add(step("added", "bridge", b.name(), b.ports().size() + " port(s)", x -> x.addBridge(b)));
            }
        }

        int unchanged = 0;
        List<Step> adds = new ArrayList<>();
        for (Placed q : pt.values()) {
            if (!r.containsKey(q.bridge())) {
                continue; // comes with its bridge
            }
            String name = q.port().name();
            String where = q.bridge() + "/" + name;
            Placed p = pr.get(name);
            if (p == null || !p.bridge().equals(q.bridge())) {
                opened.add(name);
                adds.add(step("added", "port", where, p == null ? "" : "moved from bridge " + p.bridge(),
                        x -> x.addPort(q.bridge(), q.port())));
            } else if (!PortField.TYPE.of(q.port()).equals(PortField.TYPE.of(p.port()))) {
                opened.add(name);
                adds.add(step("re-created", "port", where, PortField.describe(p.port(), q.port()),
                        x -> x.addPort(q.bridge(), q.port())));
            } else if (!PortField.describe(p.port(), q.port()).isEmpty()) {
                steps.add(step("changed", "port", where, PortField.describe(p.port(), q.port()),
                        x -> x.reconfigurePort(q.bridge(), q.port())));
            } else {
                unchanged++;
            }
        }
        steps.addAll(adds);

        for (BridgeConfig b : t.values()) {
            BridgeConfig old = r.get(b.name());
            if (old != null) {
                statics(b.name(), statics(old), statics(b), opened, steps);
                mirrors(old, b, steps);
            }
        }
        return new ReloadPlan(steps, unchanged);
    }

    private static void statics(String bridge, Map<StaticKey, StaticMac> before, Map<StaticKey, StaticMac> after,
                                Set<String> opened, List<Step> steps) {
        for (Map.Entry<StaticKey, StaticMac> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                StaticMac s = e.getValue();
                steps.add(step("removed", "static-mac", bridge + " " + macText(s), "port " + s.port(),
                        x -> x.removeStatic(bridge, s)));
            }
        }
        for (Map.Entry<StaticKey, StaticMac> e : after.entrySet()) {
            StaticMac s = e.getValue();
            StaticMac was = before.get(e.getKey());
            if (was == null) {
                steps.add(step("added", "static-mac", bridge + " " + macText(s), "port " + s.port(),
                        x -> x.addStatic(bridge, s)));
            } else if (!was.port().equals(s.port())) {
                steps.add(step("changed", "static-mac", bridge + " " + macText(s),
                        "port " + was.port() + " -> " + s.port(), x -> x.addStatic(bridge, s)));
            } else if (opened.contains(s.port())) {
                // the re-created port's entries went with it
                steps.add(new Step(new ReloadChange("added", "static-mac", bridge + " " + macText(s), "port " + s.port()),
                        false, x -> x.addStatic(bridge, s)));
            }
        }
    }

    /**
     * The mirrors that go, come or change on a bridge that stays; each step sets the bridge's whole
     * list, so the mirrors it leaves alone keep running, with their counts, whatever step runs first.
     */
    private static void mirrors(BridgeConfig old, BridgeConfig b, List<Step> steps) {
        Map<String, MirrorConfig> before = new LinkedHashMap<>();
        old.mirrors().forEach(m -> before.put(m.name(), m));
        Map<String, MirrorConfig> after = new LinkedHashMap<>();
        b.mirrors().forEach(m -> after.put(m.name(), m));
        List<MirrorConfig> target = b.mirrors();
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                steps.add(step("removed", "mirror", b.name() + "/" + name, "", x -> x.mirrors(b.name(), target)));
            }
        }
        for (MirrorConfig m : target) {
            MirrorConfig was = before.get(m.name());
            if (was == null) {
                steps.add(step("added", "mirror", b.name() + "/" + m.name(), "output " + m.output(),
                        x -> x.mirrors(b.name(), target)));
            } else if (!was.equals(m)) {
                steps.add(step("changed", "mirror", b.name() + "/" + m.name(), "output " + m.output(),
                        x -> x.mirrors(b.name(), target)));
            }
        }
    }

    private static Map<StaticKey, StaticMac> statics(BridgeConfig b) {
        Map<StaticKey, StaticMac> out = new LinkedHashMap<>();
        for (StaticMac s : b.staticMacs()) {
            out.put(new StaticKey(s.vlan(), s.mac()), s);
        }
        return out;
    }

    private static String macText(StaticMac s) {
        return MacAddress.format(s.mac()) + " vlan " + s.vlan();
    }

    private static Step step(String action, String kind, String name, String detail, Consumer<Target> apply) {
        return new Step(new ReloadChange(action, kind, name, detail), true, apply);
    }

    /** The steps in order. */
    List<Step> steps() {
        return steps;
    }

    /** How many ports of the target are in no step. */
    int unchangedPorts() {
        return unchangedPorts;
    }

    /**
     * The global settings that differ between what runs and the new config file: they take effect
     * only at the next start, as "key old -> new".
     */
    static List<String> needsRestart(SwitchdConfig running, SwitchdConfig next) {
        List<String> out = new ArrayList<>();
        differs(out, "switchd.threads", running.threads(), next.threads());
        differs(out, "switchd.busy-poll", running.busyPoll(), next.busyPoll());
        differs(out, "switchd.spin-before-sleep", running.spinBeforeSleep(), next.spinBeforeSleep());
        differs(out, "switchd.control.socket", running.control().socket(), next.control().socket());
        differs(out, "switchd.control.group", running.control().group(), next.control().group());
        differs(out, "switchd.control.max-captures", running.control().maxCaptures(), next.control().maxCaptures());
        differs(out, "switchd.metrics.listen", running.metrics().listen(), next.metrics().listen());
        differs(out, "switchd.metrics.fdb-entries-limit", running.metrics().fdbEntriesLimit(),
                next.metrics().fdbEntriesLimit());
        differs(out, "switchd.state-file", running.stateFile(), next.stateFile());
        differs(out, "switchd.etcd", running.etcd(), next.etcd());
        return out;
    }

    private static void differs(List<String> out, String key, Object running, Object next) {
        if (!Objects.equals(running, next)) {
            out.add(key + " " + words(running) + " -> " + words(next));
        }
    }

    private static String words(Object value) {
        return value == null || value.toString().isEmpty() ? "\"\"" : value.toString();
    }
}

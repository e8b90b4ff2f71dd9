package io.switchd.config;

import io.switchd.frame.MacAddress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides what runs after a start or a reload, from three sets of bridges: those running (the
 * API's changes included), the config file's that they were based on, and the config file's now.
 * What the config file declares, only the config file deletes: every bridge, port and static
 * entry it declares runs after the merge, in the bridge it gives (one missing from the running
 * set, as a state file written by an older switchd that let the API delete it, comes back as the
 * file has it, with a note); what it no longer declares goes. What the API added stays unless the
 * config file deletes its bridge. Setting by setting, what the config file changed since its base
 * is taken from the config file; what it left alone keeps its running value (the API's
 * overrides). Where the API and the config file changed the same thing differently, the config
 * file (the newer, explicit word) wins and a conflict is reported.
 */
public final class ConfigMerge {
    /** Why something the config file declares runs again though the running set lacked it. */
    private static final String BACK = "declared in the config file but missing (deleted through the API by an older "
            + "switchd, or renamed): back as the config file has it";

    private final List<String> conflicts = new ArrayList<>();

    private ConfigMerge() {}

    /** The bridges that should run, and the conflicts the config file won. */
    public record Result(List<BridgeConfig> bridges, List<String> conflicts) {
        public Result {
            bridges = List.copyOf(bridges);
            conflicts = List.copyOf(conflicts);
        }
    }

    /** A port's configuration and the bridge it is in. */
    public record Placed(String bridge, PortConfig port) {}

    /** A static entry's key within the whole switch. */
    private record StaticKey(String bridge, int vlan, long mac) {
        @Override
        public String toString() {
            return "static entry " + bridge + " " + MacAddress.format(mac) + " vlan " + vlan;
        }
    }

    /** Merges {@code running} and {@code config} over their common {@code base}. */
    public static Result merge(List<BridgeConfig> base, List<BridgeConfig> config, List<BridgeConfig> running) {
        return new ConfigMerge().run(base, config, running);
    }

    private Result run(List<BridgeConfig> base, List<BridgeConfig> config, List<BridgeConfig> running) {
        Map<String, BridgeConfig> b = byName(base);
        Map<String, BridgeConfig> c = byName(config);
        Map<String, BridgeConfig> r = byName(running);
        Map<String, BridgeConfig> bridges = new LinkedHashMap<>();
        for (String name : union(r.keySet(), c.keySet())) {
            BridgeConfig merged = bridge(name, b.get(name), c.get(name), r.get(name));
            if (merged != null) {
                bridges.put(name, merged);
            }
        }

        Map<String, Placed> pb = ports(base);
        Map<String, Placed> pc = ports(config);
        Map<String, Placed> pr = ports(running);
        Map<String, Placed> ports = new LinkedHashMap<>();
        for (String name : union(pr.keySet(), pc.keySet())) {
            Placed p = port(name, pb.get(name), pc.get(name), pr.get(name));
            if (p == null) {
                continue;
            }
            if (!bridges.containsKey(p.bridge())) {
                // not a port of the config file's: those are in its bridges, which all run
                conflicts.add("port " + p.bridge() + "/" + name + ": its bridge is deleted in the config file; "
                        + "the port goes with it");
                continue;
            }
            ports.put(name, p);
        }

        Map<StaticKey, String> sb = statics(base);
        Map<StaticKey, String> sc = statics(config);
        Map<StaticKey, String> sr = statics(running);
        Map<StaticKey, String> entries = new LinkedHashMap<>();
        for (StaticKey key : union(sr.keySet(), sc.keySet())) {
            String port;
            if (sc.containsKey(key) && !sr.containsKey(key)) {
                port = sc.get(key);
                if (sb.containsKey(key)) {
                    conflicts.add(key + ": " + BACK);
                }
            } else {
                port = pick(key.toString(), sb.get(key), sc.get(key), sr.get(key));
            }
            if (port == null) {
                continue;
            }
            Placed p = ports.get(port);
            if (p == null || !p.bridge().equals(key.bridge())) {
                conflicts.add(key + ": its port " + port + " is not in the bridge any more; the entry goes");
                continue;
            }
            entries.put(key, port);
        }
        Map<MirrorKey, MirrorConfig> mb = mirrors(base);
        Map<MirrorKey, MirrorConfig> mc = mirrors(config);
        Map<MirrorKey, MirrorConfig> mr = mirrors(running);
        Map<MirrorKey, MirrorConfig> mirrors = new LinkedHashMap<>();
        for (MirrorKey key : union(mr.keySet(), mc.keySet())) {
            MirrorConfig m = mc.containsKey(key) && !mr.containsKey(key) ? mc.get(key)
                    : configWins(key.toString(), text(mb.get(key)), text(mc.get(key)), text(mr.get(key)))
                    ? mc.get(key) : mr.get(key);
            if (m == null || !bridges.containsKey(key.bridge())) {
                continue;
            }
            List<String> bridgePorts = new ArrayList<>();
            for (Placed p : ports.values()) {
                if (p.bridge().equals(key.bridge())) {
                    bridgePorts.add(p.port().name());
                }
            }
            List<MirrorConfig> beside = new ArrayList<>();
            mirrors.forEach((k, v) -> {
                if (k.bridge().equals(key.bridge())) {
                    beside.add(v);
                }
            });
            List<MirrorConfig.Problem> problems = m.problems(bridgePorts, beside);
            if (!problems.isEmpty()) {
                // a port it names went, or the API's mirror and the config file's now share an output
                conflicts.add(key + ": " + problems.get(0).message() + "; the mirror goes");
                continue;
            }
            mirrors.put(key, m);
        }
        return new Result(assemble(bridges, ports, entries, mirrors), conflicts);
    }

    private BridgeConfig bridge(String name, BridgeConfig b, BridgeConfig c, BridgeConfig r) {
        if (c == null) {
            if (b == null) {
                return r; // the API's own
            }
            if (r != null && !sameBridge(r, b)) {
                conflicts.add("bridge " + name + ": changed through the API, deleted in the config file: deleted");
            }
            return null;
        }
        if (r == null) {
            if (b != null) {
                conflicts.add("bridge " + name + ": " + BACK);
            }
            return c;
        }
        return mergeSettings("bridge " + name, BridgeField.values(), b, c, r);
    }

    private Placed port(String name, Placed b, Placed c, Placed r) {
        if (c == null) {
            if (b == null) {
                return r; // the API's own
            }
            if (r != null && !r.equals(b)) {
                conflicts.add("port " + r.bridge() + "/" + name + ": changed through the API, deleted in the config "
                        + "file: deleted");
            }
            return null;
        }
        if (r == null) {
            if (b != null) {
                conflicts.add("port " + c.bridge() + "/" + name + ": " + BACK);
            }
            return c;
        }
        if (!r.bridge().equals(c.bridge())) {
            conflicts.add("port " + c.bridge() + "/" + name + ": declared in the config file but running in bridge "
                    + r.bridge() + ": back in " + c.bridge());
        }
        return new Placed(c.bridge(), mergeSettings("port " + c.bridge() + "/" + name, PortField.values(),
                b == null ? null : b.port(), c.port(), r.port()));
    }

    /** {@code r} with each of {@code settings} that the config file changed since {@code b} taken from {@code c}. */
    private <T> T mergeSettings(String what, Setting<T>[] settings, T b, T c, T r) {
        T out = r;
        for (Setting<T> s : settings) {
            if (configWins(what + " " + s.key(), b == null ? null : s.of(b), s.of(c), s.of(r))) {
                out = s.copy(out, c);
            }
        }
        return out;
    }

    /** The value that runs: the config file's if it changed it since the base, else the running one. */
    private String pick(String what, String base, String config, String running) {
        return configWins(what, base, config, running) ? config : running;
    }

    /** Whether the config file changed a setting since the base, noting a conflict if the API changed it otherwise. */
    private boolean configWins(String what, String base, String config, String running) {
        if (Objects.equals(base, config)) {
            return false;
        }
        if (!Objects.equals(running, base) && !Objects.equals(running, config)) {
            conflicts.add(what + ": the API made it " + (running == null ? "none" : running) + ", the config file "
                    + (config == null ? "none" : config) + "; the config file wins");
        }
        return true;
    }

    /** Whether two bridges (either may be absent) have the same settings. */
    private static boolean sameBridge(BridgeConfig a, BridgeConfig b) {
        if (a == null || b == null) {
            return a == b;
        }
        return BridgeField.sameSettings(a, b);
    }

    /** A mirror's key within the whole switch. */
    private record MirrorKey(String bridge, String name) {
        @Override
        public String toString() {
            return "mirror " + bridge + "/" + name;
        }
    }

    private static Map<MirrorKey, MirrorConfig> mirrors(List<BridgeConfig> bridges) {
        Map<MirrorKey, MirrorConfig> out = new LinkedHashMap<>();
        for (BridgeConfig b : bridges) {
            for (MirrorConfig m : b.mirrors()) {
                out.put(new MirrorKey(b.name(), m.name()), m);
            }
        }
        return out;
    }

    /** A mirror as a conflict names it: its whole configuration, one setting. */
    private static String text(MirrorConfig m) {
        return m == null ? null : "ingress " + m.selectIngress() + " egress " + m.selectEgress() + " vlans "
                + m.selectVlans() + " output " + m.output();
    }

    private static List<BridgeConfig> assemble(Map<String, BridgeConfig> bridges, Map<String, Placed> ports,
                                               Map<StaticKey, String> entries, Map<MirrorKey, MirrorConfig> mirrors) {
        List<BridgeConfig> out = new ArrayList<>();
        for (BridgeConfig settings : bridges.values()) {
            List<PortConfig> bridgePorts = new ArrayList<>();
            for (Placed p : ports.values()) {
                if (p.bridge().equals(settings.name())) {
                    bridgePorts.add(p.port());
                }
            }
            List<StaticMac> statics = new ArrayList<>();
            for (Map.Entry<StaticKey, String> e : entries.entrySet()) {
                if (e.getKey().bridge().equals(settings.name())) {
                    statics.add(new StaticMac(e.getKey().mac(), e.getKey().vlan(), e.getValue()));
                }
            }
            List<MirrorConfig> bridgeMirrors = new ArrayList<>();
            for (Map.Entry<MirrorKey, MirrorConfig> e : mirrors.entrySet()) {
                if (e.getKey().bridge().equals(settings.name())) {
                    bridgeMirrors.add(e.getValue());
                }
            }
            out.add(settings.withMembers(bridgePorts, statics).withMirrors(bridgeMirrors));
        }
        return out;
    }

    /** Bridges by name, in their order. */
    public static Map<String, BridgeConfig> byName(List<BridgeConfig> bridges) {
        Map<String, BridgeConfig> out = new LinkedHashMap<>();
        for (BridgeConfig b : bridges) {
            out.put(b.name(), b);
        }
        return out;
    }

    /** Every port of {@code bridges} by name, with its bridge. */
    public static Map<String, Placed> ports(List<BridgeConfig> bridges) {
        Map<String, Placed> out = new LinkedHashMap<>();
        for (BridgeConfig b : bridges) {
            for (PortConfig p : b.ports()) {
                out.put(p.name(), new Placed(b.name(), p));
            }
        }
        return out;
    }

    private static Map<StaticKey, String> statics(List<BridgeConfig> bridges) {
        Map<StaticKey, String> out = new LinkedHashMap<>();
        for (BridgeConfig b : bridges) {
            for (StaticMac s : b.staticMacs()) {
                out.put(new StaticKey(b.name(), s.vlan(), s.mac()), s.port());
            }
        }
        return out;
    }

    private static <T> Set<T> union(Set<T> first, Set<T> second) {
        Set<T> out = new LinkedHashSet<>(first);
        out.addAll(second);
        return out;
    }
}

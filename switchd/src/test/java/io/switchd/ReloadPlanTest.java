package io.switchd;

import io.switchd.config.BridgeConfig;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.PortConfig;
import io.switchd.config.StaticMac;
import io.switchd.frame.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The difference a reload applies: only what changed, removals first, untouched ports in no step. */
class ReloadPlanTest {
    @Test
    void identicalBridgesNeedNoStep() throws Exception {
        String b = "br0 { ports { a {}, b { type = tap, learning = false } } }";
        ReloadPlan plan = ReloadPlan.between(bridges(b), bridges(b));
        assertEquals(List.of(), plan.steps());
        assertEquals(2, plan.unchangedPorts());
    }

    @Test
    void stepsComeInTheOrderTheyCanBeTakenAndTouchOnlyWhatChanged() throws Exception {
        String running = "br0 { ports { a {}, b {}, c {}, d {}, e {}, m {} } }, old { ports { o {} } }";
        String target = "br0 { ageing-time = 60s, ports { a {}, c { admin = down, vlan-mode = access, vlan = 5 }, "
                + "d { type = tap }, e {}, n {} } }, br1 { ports { m {} } }";
        ReloadPlan plan = ReloadPlan.between(bridges(running), bridges(target));
        Recorder r = new Recorder();
        for (ReloadPlan.Step s : plan.steps()) {
            s.action().accept(r);
        }
        assertEquals(List.of("removePort br0 b", "removePort br0 d", "removePort br0 m", "removeBridge old",
                "reconfigureBridge br0", "addBridge br1 [m]", "reconfigurePort br0 c", "addPort br0 d tap",
                "addPort br0 n netdev"), r.calls);
        assertEquals(List.of("removed port br0/b", "removed port br0/m: moved to bridge br1",
                "removed bridge old: 1 port(s)", "changed bridge br0: ageing-time 300s -> 60s",
                "added bridge br1: 1 port(s)", "changed port br0/c: admin up -> down, vlan-mode transparent -> access 5",
                "re-created port br0/d: type netdev -> tap", "added port br0/n"), shown(plan));
        assertEquals(2, plan.unchangedPorts(), "a and e");
    }

    @Test
    void staticEntriesFollowTheirPorts() throws Exception {
        String entries = "static-macs = [{ mac = \"02:00:00:00:00:01\", port = a }, "
                + "{ mac = \"02:00:00:00:00:02\", port = a }, { mac = \"02:00:00:00:00:03\", port = b }]";
        String running = "br0 { ports { a {}, b {} }, " + entries + " }";
        String target = "br0 { ports { a { type = tap }, b {} }, static-macs = [{ mac = \"02:00:00:00:00:01\", port = a }, "
                + "{ mac = \"02:00:00:00:00:03\", port = a }] }";
        ReloadPlan plan = ReloadPlan.between(bridges(running), bridges(target));
        Recorder r = new Recorder();
        plan.steps().forEach(s -> s.action().accept(r));
        assertEquals(List.of("removePort br0 a", "addPort br0 a tap", "removeStatic br0 02:00:00:00:00:02",
                "addStatic br0 02:00:00:00:00:01 a", "addStatic br0 02:00:00:00:00:03 a"), r.calls,
                "the re-created port's entry is put back, silently");
        assertEquals(List.of("re-created port br0/a: type netdev -> tap",
                "removed static-mac br0 02:00:00:00:00:02 vlan 0: port a",
                "changed static-mac br0 02:00:00:00:00:03 vlan 0: port b -> a"), shown(plan));
    }

    @Test
    void mirrorsThatChangeAreStepsAndAnUnchangedOneIsInNone() throws Exception {
        String ports = "ports { a {}, b {}, mon0 {}, mon1 {} }";
        String running = "br0 { " + ports + ", mirrors { keep { select-ingress = [a], output = mon0 }, "
                + "gone { select-egress = [b], output = mon1 } } }";
        String same = "br0 { " + ports + ", mirrors { keep { select-ingress = [a], output = mon0 }, "
                + "gone { select-egress = [b], output = mon1 } } }";
        assertEquals(List.of(), ReloadPlan.between(bridges(running), bridges(same)).steps());
        String target = "br0 { " + ports + ", mirrors { keep { select-ingress = [a], output = mon0 }, "
                + "fresh { select-ingress = [b], select-vlans = [10], output = mon1 } } }";
        ReloadPlan plan = ReloadPlan.between(bridges(running), bridges(target));
        assertEquals(List.of("removed mirror br0/gone", "added mirror br0/fresh: output mon1"), shown(plan));
        Recorder r = new Recorder();
        plan.steps().forEach(s -> s.action().accept(r));
        assertEquals(List.of("mirrors br0 [fresh, keep]", "mirrors br0 [fresh, keep]"), r.calls);
    }

    @Test
    void globalSettingsThatCannotChangeAtRunTimeAreListed() throws Exception {
        var running = ConfigLoader.parse("switchd { threads = 2, metrics.listen = \"\" }", "a.conf");
        var next = ConfigLoader.parse("switchd { threads = 4, metrics.listen = \"127.0.0.1:9999\", "
                + "bridge-defaults.ageing-time = 10s }", "b.conf");
        assertEquals(List.of("switchd.threads 2 -> 4", "switchd.metrics.listen \"\" -> 127.0.0.1:9999"),
                ReloadPlan.needsRestart(running, next));
    }

    private static List<String> shown(ReloadPlan plan) {
        List<String> out = new ArrayList<>();
        for (ReloadPlan.Step s : plan.steps()) {
            if (s.shown()) {
                out.add(s.change().toString());
            }
        }
        return out;
    }

    private static List<BridgeConfig> bridges(String hocon) throws ConfigError {
        return ConfigLoader.parse("switchd.bridges { " + hocon + " }", "t.conf").bridges();
    }

    /** Records the calls a plan makes. */
    private static final class Recorder implements ReloadPlan.Target {
        final List<String> calls = new ArrayList<>();

        @Override
        public void removePort(String bridge, String port) {
            calls.add("removePort " + bridge + " " + port);
        }

        @Override
        public void removeBridge(String bridge) {
            calls.add("removeBridge " + bridge);
        }

        @Override
        public void reconfigureBridge(BridgeConfig next) {
            calls.add("reconfigureBridge " + next.name());
        }

        @Override
        public void addBridge(BridgeConfig bridge) {
            calls.add("addBridge " + bridge.name() + " " + bridge.ports().stream().map(PortConfig::name).toList());
        }

        @Override
        public void reconfigurePort(String bridge, PortConfig next) {
            calls.add("reconfigurePort " + bridge + " " + next.name());
        }

        @Override
        public void addPort(String bridge, PortConfig port) {
            calls.add("addPort " + bridge + " " + port.name() + " " + port.type().configName());
        }

        @Override
        public void removeStatic(String bridge, StaticMac entry) {
            calls.add("removeStatic " + bridge + " " + MacAddress.format(entry.mac()));
        }

        @Override
        public void addStatic(String bridge, StaticMac entry) {
            calls.add("addStatic " + bridge + " " + MacAddress.format(entry.mac()) + " " + entry.port());
        }

        @Override
        public void mirrors(String bridge, List<io.switchd.config.MirrorConfig> mirrors) {
            calls.add("mirrors " + bridge + " " + mirrors.stream().map(io.switchd.config.MirrorConfig::name).toList());
        }
    }
}

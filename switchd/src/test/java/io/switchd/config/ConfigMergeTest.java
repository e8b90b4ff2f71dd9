package io.switchd.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three-way merge of a reload: base (the config file before), config (now) and running (with the API's changes). */
class ConfigMergeTest {
    private static final String BACK = "declared in the config file but missing (deleted through the API by an older "
            + "switchd, or renamed): back as the config file has it";
    private static final String BASE = "br0 { ports { a {}, b {}, c { type = tap } } }";

    @Test
    void withoutApiChangesTheConfigFileIsWhatRuns() throws Exception {
        String config = "br0 { ageing-time = 60s, ports { a { learning = false }, c { type = tap }, d {} } }, br1 {}";
        ConfigMerge.Result m = merge(BASE, config, BASE);
        assertEquals(bridges(config), m.bridges());
        assertEquals(List.of(), m.conflicts());
    }

    @Test
    void whatTheApiChangedAndTheConfigFileDidNotTouchStays() throws Exception {
        String running = "br0 { ports { a { admin = down }, b {}, c { type = tap }, x {} }, "
                + "static-macs = [{ mac = \"02:00:00:00:00:01\", port = x }] }, br7 { ports { y {} } }";
        String config = "br0 { ports { a {}, b { isolated = true }, c { type = tap } } }";
        ConfigMerge.Result m = merge(BASE, config, running);
        assertEquals(List.of(), m.conflicts());
        assertEquals(List.of("br0", "br7"), names(m));
        BridgeConfig br0 = m.bridges().get(0);
        assertFalse(port(br0, "a").adminUp(), "the API's admin down stays");
        assertTrue(port(br0, "b").policy().isolated(), "the config file's change is applied");
        assertEquals("x", br0.staticMacs().get(0).port(), "the API's port and static entry stay");
        assertEquals("y", m.bridges().get(1).ports().get(0).name(), "the API's bridge stays");
    }

    @Test
    void onePortsSettingsMergeOneByOne() throws Exception {
        String running = "br0 { ports { a { learning = false }, b {}, c { type = tap } } }";
        String config = "br0 { ports { a { vlan-mode = access, vlan = 10 }, b {}, c { type = tap } } }";
        ConfigMerge.Result m = merge(BASE, config, running);
        PortConfig a = port(m.bridges().get(0), "a");
        assertFalse(a.policy().learning());
        assertEquals(10, a.policy().accessVlan());
        assertEquals(List.of(), m.conflicts());
    }

    @Test
    void whereBothChangedTheSameSettingTheConfigFileWinsAndSaysSo() throws Exception {
        String running = "br0 { ageing-time = 30s, ports { a { mac-limit = 5 }, b {}, c { type = tap } } }";
        String config = "br0 { ageing-time = 60s, ports { a { mac-limit = 9 }, b {}, c { type = tap } } }";
        ConfigMerge.Result m = merge(BASE, config, running);
        assertEquals(9, port(m.bridges().get(0), "a").policy().macLimit());
        assertEquals(60, m.bridges().get(0).ageingTime().toSeconds());
        assertEquals(List.of("bridge br0 ageing-time: the API made it 30s, the config file 60s; the config file wins",
                "port br0/a mac-limit: the API made it 5, the config file 9; the config file wins"), m.conflicts());
    }

    @Test
    void theSameChangeOnBothSidesIsNoConflict() throws Exception {
        String both = "br0 { ports { a { locked = true }, b {}, c { type = tap } } }";
        ConfigMerge.Result m = merge(BASE, both, both);
        assertTrue(port(m.bridges().get(0), "a").policy().locked());
        assertEquals(List.of(), m.conflicts());
    }

    @Test
    void aPortTheApiChangedAndTheConfigFileDeletedGoes() throws Exception {
        String running = "br0 { ports { a { flood = false }, b {}, c { type = tap } } }";
        ConfigMerge.Result m = merge(BASE, "br0 { ports { b {}, c { type = tap } } }", running);
        assertNull(port(m.bridges().get(0), "a"));
        assertEquals(List.of("port br0/a: changed through the API, deleted in the config file: deleted"), m.conflicts());
    }

    @Test
    void aPortTheConfigFileDeclaresComesBackWhereTheRunningSetLacksIt() throws Exception {
        // a state file from before the API refused such deletions: a VM's downscript deleted the port
        String config = "br0 { ports { vmt0 { vlan-mode = access, vlan = 10 } } }";
        ConfigMerge.Result m = merge(config, config, "br0 { ports { } }");
        PortConfig vmt0 = port(m.bridges().get(0), "vmt0");
        assertEquals(10, vmt0.policy().accessVlan(), "back as the config file has it");
        assertEquals(List.of("port br0/vmt0: " + BACK), m.conflicts());

        String running = "br0 { ports { b {}, c { type = tap } } }";
        m = merge(BASE, "br0 { ports { a { admin = down }, b {}, c { type = tap } } }", running);
        assertFalse(port(m.bridges().get(0), "a").adminUp(), "back as the config file has it now");
        assertEquals(List.of("port br0/a: " + BACK), m.conflicts());
    }

    @Test
    void aPortTheConfigFileDeclaresRunsInTheBridgeItGives() throws Exception {
        String base = BASE + ", br1 {}";
        String running = "br0 { ports { b {}, c { type = tap } } }, br1 { ports { a { isolated = true } } }";
        ConfigMerge.Result m = merge(base, base, running);
        assertTrue(port(m.bridges().get(0), "a").policy().isolated(), "in br0, with the API's setting");
        assertNull(port(m.bridges().get(1), "a"));
        assertEquals(List.of("port br0/a: declared in the config file but running in bridge br1: back in br0"),
                m.conflicts());
    }

    @Test
    void aPortTheApiAddedKeepsItsOwnerAndStays() throws Exception {
        List<BridgeConfig> running = bridges(BASE.replace("a {}", "a {}, x {}"));
        BridgeConfig br0 = running.get(0);
        List<PortConfig> ports = new java.util.ArrayList<>(br0.ports());
        ports.replaceAll(p -> p.name().equals("x") ? p.withOwner("switchd-ifup") : p);
        running = List.of(new BridgeConfig("br0", br0.ageingTime(), br0.macTableSize(), br0.groupForwardMask(), ports,
                br0.staticMacs()));
        ConfigMerge.Result m = ConfigMerge.merge(bridges(BASE), bridges(BASE.replace("a {}", "a { learning = false }")),
                running);
        assertEquals("switchd-ifup", port(m.bridges().get(0), "x").owner());
        assertFalse(port(m.bridges().get(0), "a").policy().learning());
        assertEquals(List.of(), m.conflicts());
    }

    @Test
    void aPortTheConfigFileMovesToAnotherBridgeMoves() throws Exception {
        String running = "br0 { ports { a { isolated = true }, b {}, c { type = tap } } }";
        ConfigMerge.Result m = merge(BASE, "br0 { ports { b {}, c { type = tap } } }, br1 { ports { a {} } }", running);
        assertNull(port(m.bridges().get(0), "a"));
        assertTrue(port(m.bridges().get(1), "a").policy().isolated(), "the API's setting moves with it");
    }

    @Test
    void theApisPortsGoWithABridgeTheConfigFileDeletes() throws Exception {
        String base = BASE + ", br1 { ports { p {} } }";
        String running = base.replace("p {}", "p {}, q {}");
        ConfigMerge.Result m = merge(base, BASE, running);
        assertEquals(List.of("br0"), names(m));
        assertEquals(List.of("port br1/q: its bridge is deleted in the config file; the port goes with it"),
                m.conflicts());
    }

    @Test
    void aBridgeTheConfigFileDeclaresComesBackWithItsPortsWhereTheRunningSetLacksIt() throws Exception {
        String base = BASE + ", br1 { ports { p {} } }";
        ConfigMerge.Result m = merge(base, base, BASE);
        assertEquals(List.of("br0", "br1"), names(m));
        assertEquals(List.of("p"), m.bridges().get(1).ports().stream().map(PortConfig::name).toList());
        assertEquals(List.of("bridge br1: " + BACK, "port br1/p: " + BACK), m.conflicts());
        m = merge(base, BASE + ", br1 { ports { p {}, q {} } }", BASE);
        assertEquals(List.of("p", "q"), m.bridges().get(1).ports().stream().map(PortConfig::name).toList());
    }

    @Test
    void staticEntriesMergeOneByOne() throws Exception {
        String entry = ", static-macs = [{ mac = \"02:00:00:00:00:01\", port = %s }]";
        String base = "br0 { ports { a {}, b {} }" + entry.formatted("a") + " }";
        String running = "br0 { ports { a {}, b {} }" + entry.formatted("b") + " }";
        String config = "br0 { ports { a {}, b {} } }";
        ConfigMerge.Result m = merge(base, config, running);
        assertEquals(List.of(), m.bridges().get(0).staticMacs(), "the config file deleted it: gone");
        assertEquals(1, m.conflicts().size(), m.conflicts().toString());
        assertTrue(m.conflicts().get(0).startsWith("static entry br0 02:00:00:00:00:01 vlan 0: the API made it b"),
                m.conflicts().get(0));
    }

    @Test
    void aStaticEntryTheConfigFileDeclaresComesBackWhereTheRunningSetLacksIt() throws Exception {
        String base = "br0 { ports { a {}, b {} }, static-macs = [{ mac = \"02:00:00:00:00:01\", port = a }] }";
        ConfigMerge.Result m = merge(base, base, "br0 { ports { a {}, b {} } }");
        assertEquals(List.of(new StaticMac(0x0200_0000_0001L, 0, "a")), m.bridges().get(0).staticMacs());
        assertEquals(List.of("static entry br0 02:00:00:00:00:01 vlan 0: " + BACK), m.conflicts());
    }

    @Test
    void mirrorsMergeLikeStaticEntries() throws Exception {
        String ports = "ports { a {}, b {}, mon {}, mon2 {} }";
        String base = "br0 { " + ports + ", mirrors { cfg { select-ingress = [a], output = mon } } }";
        // the API added its own mirror; the config file changed its mirror's selection
        String running = "br0 { " + ports + ", mirrors { cfg { select-ingress = [a], output = mon }, "
                + "api { select-egress = [b], output = mon2 } } }";
        String config = "br0 { " + ports + ", mirrors { cfg { select-ingress = [a, b], output = mon } } }";
        ConfigMerge.Result m = merge(base, config, running);
        assertEquals(List.of(), m.conflicts());
        assertEquals(List.of(new MirrorConfig("api", List.of(), List.of("b"), List.of(), "mon2"),
                new MirrorConfig("cfg", List.of("a", "b"), List.of(), List.of(), "mon")), m.bridges().get(0).mirrors());
    }

    @Test
    void aMirrorWhosePortWentGoesWithANote() throws Exception {
        String running = "br0 { ports { a {}, b {}, c { type = tap }, mon {} }, "
                + "mirrors { api { select-ingress = [a], output = mon } } }";
        String config = "br0 { ports { a {}, b {}, c { type = tap } } }";
        // mon was the config file's, which deletes it now
        ConfigMerge.Result m = merge("br0 { ports { a {}, b {}, c { type = tap }, mon {} } }", config, running);
        assertEquals(List.of(), m.bridges().get(0).mirrors());
        assertEquals(1, m.conflicts().size(), m.conflicts().toString());
        assertTrue(m.conflicts().get(0).startsWith("mirror br0/api: port mon is not a port of the bridge"),
                m.conflicts().toString());
    }

    private static ConfigMerge.Result merge(String base, String config, String running) throws ConfigError {
        return ConfigMerge.merge(bridges(base), bridges(config), bridges(running));
    }

    static List<BridgeConfig> bridges(String hocon) throws ConfigError {
        return ConfigLoader.parse("switchd.bridges { " + hocon + " }", "t.conf").bridges();
    }

    private static List<String> names(ConfigMerge.Result m) {
        return m.bridges().stream().map(BridgeConfig::name).toList();
    }

    private static PortConfig port(BridgeConfig b, String name) {
        for (PortConfig p : b.ports()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}

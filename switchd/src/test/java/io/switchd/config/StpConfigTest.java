package io.switchd.config;

import io.switchd.stp.EdgeMode;
import io.switchd.stp.StpMode;
import io.switchd.testing.Committed;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spanning tree keys of a bridge and its ports: read, defaulted, and their mistakes named. */
class StpConfigTest {

    private static BridgeConfig bridge(String text) throws ConfigError {
        return ConfigLoader.parse(text, "t.conf").bridges().get(0);
    }

    private static ConfigError mistake(String text) {
        return assertThrows(ConfigError.class, () -> ConfigLoader.parse(text, "t.conf"));
    }

    @Test
    void offByDefaultWithTheDefaultsOf8021D() throws Exception {
        BridgeConfig b = bridge("switchd.bridges.br0.ports { eth1 {} }");
        assertFalse(b.stp().enabled());
        assertEquals(StpConfig.OFF, b.stp());
        assertEquals(PortStpConfig.DEFAULT, b.ports().get(0).stp());
    }

    @Test
    void readsEveryKeyOfTheIssueExample() throws Exception {
        BridgeConfig b = bridge("""
                switchd.bridges.br0 {
                  stp { mode = rstp, priority = 4096, hello-time = 1s, max-age = 6s, forward-delay = 4s }
                  ports.uplink1.stp { cost = 2000, priority = 64, edge = false, bpdu-guard = true, root-guard = true }
                  ports.uplink2.stp { cost = auto, edge = auto }
                  ports.tap0.stp.edge = true
                }
                """);
        assertEquals(new StpConfig(StpMode.RSTP, 4096, 1, 6, 4), b.stp());
        assertEquals(new PortStpConfig(2000, 64, EdgeMode.OFF, true, true), b.ports().get(1).stp());
        assertEquals(PortStpConfig.DEFAULT, b.ports().get(2).stp());
        assertEquals(EdgeMode.ON, b.ports().get(0).stp().edge());
        assertEquals(StpMode.STP, bridge("switchd.bridges.br0.stp.mode = stp").stp().mode());
        assertFalse(bridge("switchd.bridges.br0.stp.mode = off").stp().enabled());
    }

    // as shipped, not the working copy, as ConfigLoaderTest reads the other examples
    @Test
    void theShippedExampleIsValid() throws Exception {
        BridgeConfig b = ConfigLoader.parse(Committed.text("config/stp.conf"), "config/stp.conf").bridges().get(0);
        assertEquals(StpMode.RSTP, b.stp().mode());
        assertEquals(java.util.List.of("sw-h", "sw-l1", "sw-l2"), b.ports().stream().map(PortConfig::name).toList());
        assertEquals(EdgeMode.AUTO, b.ports().get(0).stp().edge());
        assertEquals(EdgeMode.OFF, b.ports().get(1).stp().edge());
        assertEquals(EdgeMode.OFF, b.ports().get(2).stp().edge());
    }

    @Test
    void portDefaultsCarryStpSettings() throws Exception {
        BridgeConfig b = bridge("switchd { port-defaults.stp.edge = false, bridges.br0.ports { a {}, b.stp.cost = 5 } }");
        assertEquals(EdgeMode.OFF, b.ports().get(0).stp().edge());
        assertEquals(new PortStpConfig(5, 128, EdgeMode.OFF, false, false), b.ports().get(1).stp());
    }

    @Test
    void mistakesAreNamedWithLineAndKey() {
        ConfigError mode = mistake("switchd.bridges.br0 {\n stp.mode = mstp\n}");
        assertEquals(2, mode.line());
        assertEquals("switchd.bridges.br0.stp.mode", mode.path());
        assertTrue(mode.problem().contains("rstp, stp or off"), mode.getMessage());

        ConfigError priority = mistake("switchd.bridges.br0.stp.priority = 1000");
        assertEquals("switchd.bridges.br0.stp.priority", priority.path());
        assertTrue(priority.problem().contains("multiple of 4096"), priority.getMessage());

        ConfigError rule = mistake("switchd.bridges.br0.stp {\n max-age = 40s\n}");
        assertEquals("switchd.bridges.br0.stp.max-age", rule.path());
        assertEquals(2, rule.line());
        assertTrue(rule.problem().contains("forward-delay"), rule.getMessage());

        ConfigError fraction = mistake("switchd.bridges.br0.stp.hello-time = 1500ms");
        assertEquals("switchd.bridges.br0.stp.hello-time", fraction.path());
        assertTrue(fraction.problem().contains("whole seconds"), fraction.getMessage());

        ConfigError range = mistake("switchd.bridges.br0.stp.hello-time = 20s");
        assertEquals("switchd.bridges.br0.stp.hello-time", range.path());

        ConfigError unknown = mistake("switchd.bridges.br0.stp.helo-time = 2s");
        assertEquals("switchd.bridges.br0.stp.helo-time", unknown.path());
        assertTrue(unknown.problem().contains("forward-delay"), unknown.getMessage());

        ConfigError cost = mistake("switchd.bridges.br0.ports.eth1.stp.cost = cheap");
        assertEquals("switchd.bridges.br0.ports.eth1.stp.cost", cost.path());
        assertTrue(cost.problem().contains("auto"), cost.getMessage());

        ConfigError portPriority = mistake("switchd.bridges.br0.ports.eth1.stp.priority = 100");
        assertEquals("switchd.bridges.br0.ports.eth1.stp.priority", portPriority.path());
        assertTrue(portPriority.problem().contains("multiple of 16"), portPriority.getMessage());

        ConfigError edge = mistake("switchd.bridges.br0.ports.eth1.stp.edge = sometimes");
        assertEquals("switchd.bridges.br0.ports.eth1.stp.edge", edge.path());

        ConfigError guard = mistake("switchd.bridges.br0.ports.eth1.stp.bpdu-guard = yes please");
        assertEquals("switchd.bridges.br0.ports.eth1.stp.bpdu-guard", guard.path());
    }

    @Test
    void aReloadSeesAChangeOfTheStpSettings() throws Exception {
        BridgeConfig off = bridge("switchd.bridges.br0.ports.eth1 {}");
        BridgeConfig on = bridge("switchd.bridges.br0 { stp.mode = rstp, ports.eth1.stp.edge = false }");
        String change = BridgeField.describe(off, on);
        assertTrue(change.startsWith("stp mode off ") && change.contains("-> mode rstp "), change);
        assertTrue(PortField.describe(off.ports().get(0), on.ports().get(0)).endsWith("edge false bpdu-guard false root-guard false"));
        assertEquals(on.stp(), BridgeField.STP.copy(off, on).stp());
        assertEquals(on.stp(), BridgeField.AGEING_TIME.copy(on, off).stp(), "copying another setting keeps stp");
    }
}

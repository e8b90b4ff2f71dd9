package io.switchd.config;

import io.switchd.port.PortPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge-defaults and port-defaults: what every bridge and port of the config file starts from. */
class ConfigDefaultsTest {
    @Test
    void everyPortOfTheFileStartsFromPortDefaultsAndOverridesWhatItSets() throws Exception {
        Map<String, PortConfig> ports = ports("""
                switchd.port-defaults { admin = down, learning = false, mac-limit = 8, storm-control { broadcast = 100 } }
                switchd.bridges.br0.ports {
                  a {}
                  b { admin = up, learning = true, storm-control { multicast = 50 } }
                }""");
        assertFalse(ports.get("a").adminUp());
        assertEquals(PortPolicy.builder().learning(false).macLimit(8).storm(100, 0, 0, 100).build(),
                ports.get("a").policy());
        assertTrue(ports.get("b").adminUp());
        assertEquals(PortPolicy.builder().macLimit(8).storm(100, 50, 0, 100).build(), ports.get("b").policy());
    }

    @Test
    void aPortTakesTheDefaultVlanSettingsUnlessItNamesItsOwnVlanMode() throws Exception {
        Map<String, PortConfig> ports = ports("""
                switchd.port-defaults { vlan-mode = access, vlan = 10 }
                switchd.bridges.br0.ports {
                  vm1 {}
                  vm2 { vlan = 20 }
                  uplink { vlan-mode = trunk, vlans = [10, 20] }
                  plain { vlan-mode = transparent }
                }""");
        assertEquals(PortPolicy.builder().access(10).build(), ports.get("vm1").policy());
        assertEquals(PortPolicy.builder().access(20).build(), ports.get("vm2").policy());
        assertEquals(PortPolicy.builder().trunk(List.of(10, 20), -1).build(), ports.get("uplink").policy());
        assertEquals(PortPolicy.DEFAULT, ports.get("plain").policy());
    }

    @Test
    void aMistakeInPortDefaultsIsNamedThereEvenWithNoPorts() {
        ConfigError range = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.port-defaults {\n mac-limit = -1\n}\n", "t.conf"));
        assertEquals("switchd.port-defaults.mac-limit", range.path());
        assertEquals(2, range.line());
        ConfigError noVlan = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.port-defaults {\n vlan-mode = access\n}\n", "t.conf"));
        assertEquals("switchd.port-defaults.vlan", noVlan.path());
        ConfigError admin = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.port-defaults {\n admin = off\n}\n", "t.conf"));
        assertEquals("switchd.port-defaults.admin", admin.path());
    }

    @Test
    void bridgeDefaultsSetTheBridgeSettingsAndHoldNoPorts() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("""
                switchd.bridge-defaults { ageing-time = 10s, mac-table-size = 1024 }
                switchd.bridges { br0 {}, br1 { ageing-time = 60s } }""", "t.conf");
        assertEquals(Duration.ofSeconds(10), c.bridges().get(0).ageingTime());
        assertEquals(Duration.ofSeconds(60), c.bridges().get(1).ageingTime());
        assertEquals(1024, c.bridges().get(1).macTableSize());
        assertEquals(1024, ConfigLoader.newBridge(c, "br9").macTableSize(), "a bridge made at run time");

        ConfigError ports = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridge-defaults {\n ports { eth1 {} }\n}\nswitchd.bridges.br0 {}\n", "t.conf"));
        assertEquals("switchd.bridge-defaults.ports", ports.path());
        assertEquals(2, ports.line());
    }

    private static Map<String, PortConfig> ports(String text) throws ConfigError {
        Map<String, PortConfig> ports = new HashMap<>();
        ConfigLoader.parse(text, "t.conf").bridges().get(0).ports().forEach(p -> ports.put(p.name(), p));
        return ports;
    }
}

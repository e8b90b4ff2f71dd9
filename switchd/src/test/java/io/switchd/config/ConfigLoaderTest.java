package io.switchd.config;

import io.switchd.Main;
import io.switchd.testing.Committed;
import io.switchd.testing.Netns;
import io.switchd.port.kind.NetdevSettings;
import io.switchd.port.kind.TapSettings;
import io.switchd.port.kind.VhostUserSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    // The examples as shipped, not the working copy: the README has users edit config/switchd.conf.
    @Test
    void theShippedExampleConfigurationsAreValid() throws Exception {
        SwitchdConfig c = ConfigLoader.parse(Committed.text("config/switchd.conf"), "config/switchd.conf");
        assertEquals(1, c.bridges().size());
        BridgeConfig br0 = c.bridges().get(0);
        assertEquals(Duration.ofSeconds(300), br0.ageingTime());
        assertEquals(List.of("sw-tap1", "sw-tap2"), br0.ports().stream().map(PortConfig::name).toList());
        assertTrue(br0.ports().stream().allMatch(p -> p.type() == PortType.TAP));

        SwitchdConfig vlans = ConfigLoader.parse(Committed.text("config/vlans.conf"), "config/vlans.conf");
        assertEquals(5, vlans.bridges().get(0).ports().size());
    }

    @Test
    void theReadmesEditOfTheShippedExampleIsValidAndAttachesTheVeth(@TempDir Path dir) throws Exception {
        Matcher edit = Pattern.compile("sed -i '([^']+)' config/switchd\\.conf").matcher(Committed.text("README.md"));
        assertTrue(edit.find(), "the README no longer edits config/switchd.conf with sed: say here what it does instead");
        String shipped = Committed.text("config/switchd.conf");
        Path file = dir.resolve("switchd.conf");
        Files.writeString(file, shipped);
        Netns.run("sed", "-i", edit.group(1), file.toString());
        assertNotEquals(shipped, Files.readString(file), "the README's sed changes nothing in the example");
        BridgeConfig br0 = ConfigLoader.load(file).bridges().get(0);
        assertTrue(br0.ports().contains(new PortConfig("sw-veth3", NetdevSettings.INSTANCE, true)), br0.ports().toString());
    }

    @Test
    void fillsDefaultsFromReferenceConf() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("switchd.bridges.br0.ports { eth1 {} }", "t.conf");
        BridgeConfig b = c.bridges().get(0);
        assertEquals(Duration.ofMinutes(5), b.ageingTime());
        assertEquals(65536, b.macTableSize());
        assertEquals(0, b.groupForwardMask());
        assertEquals(new PortConfig("eth1", NetdevSettings.INSTANCE, true), b.ports().get(0));
    }

    @Test
    void readsEveryKeyOfTheIssueExample() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("""
                switchd {
                  bridges {
                    br0 {
                      ageing-time = 30s
                      mac-table-size = 1024
                      group-forward-mask = "0x4001"
                      ports {
                        tap-vm1 { type = tap, persistent = true }
                        veth-h3 { type = netdev }
                      }
                      static-macs = [ { mac = "02:00:00:00:00:01", port = tap-vm1 },
                                      { mac = "02:00:00:00:00:02", port = veth-h3, vlan = 10 } ]
                    }
                  }
                }""", "t.conf");
        BridgeConfig b = c.bridges().get(0);
        assertEquals(Duration.ofSeconds(30), b.ageingTime());
        assertEquals(1024, b.macTableSize());
        assertEquals(0x4001, b.groupForwardMask());
        assertEquals(new PortConfig("tap-vm1", new TapSettings(true), true), b.ports().get(0));
        assertEquals(new StaticMac(0x0200_0000_0002L, 10, "veth-h3"), b.staticMacs().get(1));
    }

    @Test
    void readsAVhostUserPortsSocketAndModeServerByDefault() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("""
                switchd {
                  port-defaults { mode = client }
                  bridges.br0.ports {
                    vm1 { type = vhost-user, socket = "/run/switchd/vm1.sock", mode = server }
                    vm2 { type = vhost-user, socket = "/run/switchd/vm2.sock" }
                    eth1 {}
                  }
                }""", "t.conf");
        java.util.Map<String, PortConfig> ports = new java.util.HashMap<>();
        c.bridges().get(0).ports().forEach(p -> ports.put(p.name(), p));
        assertEquals(new PortConfig("vm1", new VhostUserSettings("/run/switchd/vm1.sock",
                VhostUserSettings.Mode.SERVER), true), ports.get("vm1"));
        assertEquals(PortType.VHOST_USER, ports.get("vm1").type());
        assertEquals("vhost-user", ports.get("vm1").type().configName());
        // a mode among the port-defaults is for the vhost-user ports; the netdev port is not one
        assertEquals(new VhostUserSettings("/run/switchd/vm2.sock", VhostUserSettings.Mode.CLIENT),
                ports.get("vm2").kindSettings());
        assertEquals(NetdevSettings.INSTANCE, ports.get("eth1").kindSettings());

        SwitchdConfig plain = ConfigLoader.parse("switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n"
                + " socket = \"/run/switchd/vm1.sock\"\n}", "t.conf");
        assertEquals(VhostUserSettings.Mode.SERVER,
                ((VhostUserSettings) plain.bridges().get(0).ports().get(0).kindSettings()).mode());
    }

    @Test
    void aVhostUserPortWithoutSocketOrWithOneOnAnotherKindIsNamedWithFileLineAndKey() {
        ConfigError missing = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n}", "t.conf"));
        assertEquals("t.conf", missing.file());
        assertEquals(2, missing.line());
        assertEquals("switchd.bridges.br0.ports.vm1.socket", missing.path());
        ConfigError foreign = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.t {\n type = tap\n socket = \"/run/t.sock\"\n}", "t.conf"));
        assertEquals(3, foreign.line());
        assertEquals("switchd.bridges.br0.ports.t.socket", foreign.path());
        assertTrue(foreign.problem().contains("only vhost-user ports have a socket"), foreign.getMessage());
    }

    @Test
    void anUnknownKeyIsNamedWithFileAndLine() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd {\n bridges {\n  br0 {\n   ageing-tme = 30s\n  }\n }\n}", "t.conf"));
        assertEquals("t.conf", e.file());
        assertEquals(4, e.line());
        assertEquals("switchd.bridges.br0.ageing-tme", e.path());
        assertTrue(e.getMessage().startsWith("t.conf:4: switchd.bridges.br0.ageing-tme: unknown key"), e.getMessage());
    }

    @Test
    void aMisspelledRootIsNotSilentlyIgnored() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse("swichd { }", "t.conf"));
        assertEquals("swichd", e.path());
    }

    @Test
    void aWrongTypeIsNamed() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0 {\n mac-table-size = lots\n}", "t.conf"));
        assertEquals(2, e.line());
        assertEquals("switchd.bridges.br0.mac-table-size", e.path());
        ConfigError d = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ageing-time = soon", "t.conf"));
        assertEquals("switchd.bridges.br0.ageing-time", d.path());
        ConfigError t = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.x { type = vde }", "t.conf"));
        assertTrue(t.problem().contains("tap, netdev, vhost-user or vxlan"), t.getMessage());
    }

    @Test
    void readsHowLoopsWait() throws Exception {
        assertEquals(Duration.ofNanos(100_000), ConfigLoader.parse("switchd {}", "t.conf").spinBeforeSleep());
        SwitchdConfig c = ConfigLoader.parse("switchd { busy-poll = true, spin-before-sleep = 0 }", "t.conf");
        assertTrue(c.busyPoll());
        assertEquals(Duration.ZERO, c.spinBeforeSleep());
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd {\n spin-before-sleep = 2s\n}", "t.conf"));
        assertEquals(2, e.line());
        assertEquals("switchd.spin-before-sleep", e.path());
        assertTrue(e.problem().contains("0 to 1s"), e.getMessage());
        ConfigError d = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.spin-before-sleep = briefly", "t.conf"));
        assertEquals("switchd.spin-before-sleep", d.path());
    }

    @Test
    void aPortInTwoBridgesIsRefused() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges {\n a.ports.eth1 {}\n b.ports.eth1 {}\n}", "t.conf"));
        assertTrue(e.problem().contains("already in bridge a"), e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void badStaticEntriesAreRefused() {
        ConfigError mac = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n { mac = \"02:00:00:00:01\", port = eth1 }\n ]\n}",
                "t.conf"));
        assertEquals("switchd.bridges.br0.static-macs[0].mac", mac.path());
        assertEquals(4, mac.line());
        ConfigError port = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [ { mac = \"02:00:00:00:00:01\", port = eth2 } ]\n}",
                "t.conf"));
        assertTrue(port.problem().contains("not a port of bridge br0"), port.getMessage());
        ConfigError group = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0 { ports.eth1 {}, static-macs = [ { mac = \"01:00:5e:00:00:01\", port = eth1 } ] }",
                "t.conf"));
        assertTrue(group.problem().contains("unicast"), group.getMessage());
    }

    @Test
    void readsVlanAndSecuritySettings() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("""
                switchd.bridges.br0.ports {
                  vm1 { type = tap, vlan-mode = access, vlan = 10, mac-limit = 4, locked = true }
                  uplink { vlan-mode = trunk, vlans = [1, "10-12"], native-vlan = 99, isolated = false }
                  vm2 { learning = false, flood = false, isolated = true,
                        storm-control { broadcast = 1000, multicast = 500, unknown-unicast = 200, burst = 50 } }
                }""", "t.conf");
        java.util.Map<String, io.switchd.port.PortPolicy> p = new java.util.HashMap<>();
        c.bridges().get(0).ports().forEach(pc -> p.put(pc.name(), pc.policy()));
        assertEquals(io.switchd.port.PortPolicy.builder().access(10).macLimit(4).locked(true).build(), p.get("vm1"));
        assertEquals(io.switchd.port.PortPolicy.builder().trunk(java.util.List.of(1, 10, 11, 12), 99).build(), p.get("uplink"));
        assertEquals(io.switchd.port.PortPolicy.builder().learning(false).flood(false).isolated(true)
                .storm(1000, 500, 200, 50).build(), p.get("vm2"));
    }

    @Test
    void vlanMistakesAreNamed() {
        ConfigError noVlan = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.vm1 {\n vlan-mode = access\n}", "t.conf"));
        assertEquals("switchd.bridges.br0.ports.vm1.vlan", noVlan.path());
        assertEquals(2, noVlan.line());
        ConfigError range = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.vm1 { vlan-mode = access, vlan = 4095 }", "t.conf"));
        assertEquals("switchd.bridges.br0.ports.vm1.vlan", range.path());
        ConfigError list = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.up { vlan-mode = trunk, vlans = [\"20-10\"] }", "t.conf"));
        assertEquals("switchd.bridges.br0.ports.up.vlans", list.path());
        ConfigError stray = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.vm1 { vlan = 10 }", "t.conf"));
        assertTrue(stray.problem().contains("does not apply"), stray.getMessage());
        ConfigError mode = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.vm1 { vlan-mode = hybrid }", "t.conf"));
        assertTrue(mode.problem().contains("access or trunk"), mode.getMessage());
        ConfigError storm = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports.vm1 { storm-control { broadcst = 10 } }", "t.conf"));
        assertEquals("switchd.bridges.br0.ports.vm1.storm-control.broadcst", storm.path());
    }

    @Test
    void pauseCanNeverBeForwarded() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.group-forward-mask = 2", "t.conf"));
        assertTrue(e.problem().contains("PAUSE"), e.getMessage());
    }

    @Test
    void aBadInterfaceNameIsRefused() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse(
                "switchd.bridges.br0.ports { \"much-too-long-name\" {} }", "t.conf"));
        assertTrue(e.problem().contains("interface name"), e.getMessage());
    }

    @Test
    void aSyntaxErrorNamesFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "switchd {\n bridges {\n  br0 {{\n");
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":"), e.getMessage());
        assertTrue(e.line() > 0);
    }

    @Test
    void theDaemonExitsWithStatusTwoOnABadConfiguration(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "switchd.bridges.br0.mac-table-size = -1\n");
        assertEquals(2, new CommandLine(new Main()).execute("--config", f.toString()));
        assertEquals(2, new CommandLine(new Main()).execute("--config", dir.resolve("missing.conf").toString()));
        Files.writeString(f, "switchd.bridges.br0.mac-table-size = 10\n");
        assertEquals(0, new CommandLine(new Main()).execute("--config", f.toString(), "--check"));
    }
}

package io.switchd.control;

import io.switchd.config.BridgeConfig;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.PortConfig;
import io.switchd.config.SavedState;
import io.switchd.config.SwitchdConfig;
import io.switchd.port.kind.TapSettings;
import io.switchd.port.kind.VhostUserSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state file gives back exactly what was written: the running bridges and their base. */
class StateFileTest {
    @Test
    void whatIsWrittenIsReadBackWhateverTheConfigFilesDefaults(@TempDir Path dir) throws Exception {
        SwitchdConfig running = ConfigLoader.parse("switchd { port-defaults { learning = false }, bridges {\n"
                + " br0 { ageing-time = 1500ms, mac-table-size = 77, group-forward-mask = 0x4004, ports {\n"
                + "  a { type = tap, persistent = true, admin = down, vlan-mode = access, vlan = 10 }\n"
                + "  b { vlan-mode = trunk, vlans = [1, \"20-30\"], native-vlan = 5, mac-limit = 3, locked = true }\n"
                + "  c { learning = true, flood = false, isolated = true, storm-control { broadcast = 9, burst = 4 } } }\n"
                + "  static-macs = [{ mac = \"02:00:00:00:00:01\", port = b, vlan = 20 }] }\n"
                + " br1 {} } }", "running.conf");
        List<BridgeConfig> base = ConfigLoader.parse("switchd.bridges.br0.ports.a {}", "base.conf").bridges();
        Path file = dir.resolve("state.conf");
        new StateFile(file).write(running, base);

        SavedState saved = ConfigLoader.loadState(file);
        assertEquals(running.bridges(), saved.bridges());
        assertEquals(base, saved.base());
    }

    @Test
    void mirrorsAreReadBackAsWritten(@TempDir Path dir) throws Exception {
        SwitchdConfig running = ConfigLoader.parse("switchd.bridges.br0 { ports { a {}, b {}, mon {}, mon2 {} },\n"
                + " mirrors { m1 { select-ingress = [a], select-egress = [a, b], select-vlans = [10, 20], output = mon }\n"
                + "  m2 { select-egress = [b], output = mon2 } } }", "running.conf");
        Path file = dir.resolve("state.conf");
        new StateFile(file).write(running, List.of());
        SavedState saved = ConfigLoader.loadState(file);
        assertEquals(running.bridges(), saved.bridges());
        assertEquals(2, saved.bridges().get(0).mirrors().size());
    }

    @Test
    void vhostUserPortsKeepTheirSocketAndModeThroughTheStateFile(@TempDir Path dir) throws Exception {
        SwitchdConfig running = ConfigLoader.parse("switchd.bridges.br0.ports {\n"
                + " vm1 { type = vhost-user, socket = \"/run/switchd/vm1.sock\" }\n"
                + " vm2 { type = vhost-user, socket = \"/run/switchd/vm 2.sock\", mode = client, vlan-mode = access,"
                + " vlan = 7 }\n"
                + " t { type = tap, persistent = true } }", "running.conf");
        Path file = dir.resolve("state.conf");
        new StateFile(file).write(running, running.bridges());

        SavedState saved = ConfigLoader.loadState(file);
        assertEquals(running.bridges(), saved.bridges());
        assertEquals(running.bridges(), saved.base());
        java.util.Map<String, PortConfig> ports = new java.util.HashMap<>();
        saved.bridges().get(0).ports().forEach(p -> ports.put(p.name(), p));
        assertEquals(new VhostUserSettings("/run/switchd/vm1.sock", VhostUserSettings.Mode.SERVER),
                ports.get("vm1").kindSettings());
        assertEquals(new VhostUserSettings("/run/switchd/vm 2.sock", VhostUserSettings.Mode.CLIENT),
                ports.get("vm2").kindSettings());
        assertEquals(new TapSettings(true), ports.get("t").kindSettings());
    }

    @Test
    void spanningTreeSettingsAreWrittenAndReadBack(@TempDir Path dir) throws Exception {
        SwitchdConfig running = ConfigLoader.parse("switchd.bridges {\n"
                + " br0 { stp { mode = stp, priority = 4096, hello-time = 1s, max-age = 6s, forward-delay = 4s }, ports {\n"
                + "  a.stp { cost = 2000, priority = 32, edge = false, bpdu-guard = true, root-guard = true }\n"
                + "  b.stp { edge = true }, c {} } }\n"
                + " br1 { stp.mode = rstp } }", "running.conf");
        Path file = dir.resolve("state.conf");
        new StateFile(file).write(running, running.bridges());

        SavedState saved = ConfigLoader.loadState(file);
        assertEquals(running.bridges(), saved.bridges());
        assertEquals(running.bridges(), saved.base());
    }

    @Test
    void aPortsOwnerIsKeptInTheStateFileButIsNotAConfigFileKey(@TempDir Path dir) throws Exception {
        SwitchdConfig parsed = ConfigLoader.parse("switchd.bridges.br0.ports { vm1 {}, vm2 {} }", "running.conf");
        BridgeConfig br0 = parsed.bridges().get(0);
        List<PortConfig> ports = List.of(br0.ports().get(0).withOwner("libvirt:web 1"), br0.ports().get(1));
        SwitchdConfig running = parsed.withBridges(List.of(new BridgeConfig("br0", br0.ageingTime(),
                br0.macTableSize(), br0.groupForwardMask(), ports, br0.staticMacs())));
        Path file = dir.resolve("state.conf");
        new StateFile(file).write(running, List.of());
        assertEquals(running.bridges(), ConfigLoader.loadState(file).bridges());

        ConfigError e = assertThrows(ConfigError.class,
                () -> ConfigLoader.parse("switchd.bridges.br0.ports.vm1.owner = me", "switchd.conf"));
        assertTrue(e.getMessage().contains("owner: unknown key"), e.getMessage());
    }

    @Test
    void noFileIsNoStateAndAFileFromBeforeReloadsHasNoBase(@TempDir Path dir) throws Exception {
        assertNull(ConfigLoader.loadState(dir.resolve("none.conf")));
        Path old = dir.resolve("old.conf");
        Files.writeString(old, "switchd { bridges { br7 { ports { a { type = tap, admin = up } } } } }\n");
        SavedState saved = ConfigLoader.loadState(old);
        assertEquals("br7", saved.bridges().get(0).name());
        assertNull(saved.base());
    }

    @Test
    void aDamagedStateFileNamesFileLineAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("state.conf");
        Files.writeString(file, "switchd.bridges {}\nbase {\n bridges.br0.ageing-time = soon\n}\n");
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.loadState(file));
        assertTrue(e.getMessage().startsWith(file + ":3: "), e.getMessage());
        Files.writeString(file, "switchd.bridges {}\nextra = 1\n");
        e = assertThrows(ConfigError.class, () -> ConfigLoader.loadState(file));
        assertEquals("extra", e.path());
        assertEquals(2, e.line());
    }
}

package io.switchd.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bridge's mirrors in the config file: the issue's example reads, and each mistake names file, line and key. */
class MirrorConfigTest {
    private static final String PORTS = " ports { vm1 {}, vm2 {}, mon0 {}, mon1 {} }\n";

    @Test
    void readsTheIssuesExample() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.m1 { select-ingress = [\"vm1\"], select-egress = [\"vm1\"], select-vlans = [], output = \"mon0\" }\n"
                + " mirrors.m2 { select-egress = [vm2], select-vlans = [10, 20], output = mon1 }\n}", "t.conf");
        assertEquals(List.of(new MirrorConfig("m1", List.of("vm1"), List.of("vm1"), List.of(), "mon0"),
                new MirrorConfig("m2", List.of(), List.of("vm2"), List.of(10, 20), "mon1")),
                c.bridges().get(0).mirrors());
    }

    @Test
    void anOutputThatIsAlsoSelectedIsNamedAtItsLine() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.m1 {\n  select-ingress = [vm1]\n  select-egress = [mon0]\n  output = mon0\n }\n}", "t.conf"));
        assertEquals("t.conf", e.file());
        assertEquals(6, e.line());
        assertEquals("switchd.bridges.br0.mirrors.m1.output", e.path());
        assertTrue(e.problem().contains("cannot be selected"), e.getMessage());
    }

    @Test
    void anUnknownPortIsNamed() {
        ConfigError selected = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n"
                + PORTS + " mirrors.m1 {\n  select-ingress = [vm9]\n  output = mon0\n }\n}", "t.conf"));
        assertEquals(4, selected.line());
        assertEquals("switchd.bridges.br0.mirrors.m1.select-ingress", selected.path());
        assertTrue(selected.problem().contains("port vm9 is not a port of the bridge"), selected.getMessage());
        ConfigError output = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n"
                + PORTS + " mirrors.m1 {\n  select-ingress = [vm1]\n  output = mon9\n }\n}", "t.conf"));
        assertEquals(5, output.line());
        assertEquals("switchd.bridges.br0.mirrors.m1.output", output.path());
    }

    @Test
    void twoMirrorsWithOneOutputAreRefused() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.a { select-ingress = [vm1], output = mon0 }\n"
                + " mirrors.b { select-ingress = [vm2], output = mon0 }\n}", "t.conf"));
        assertTrue(e.problem().contains("already mirror b's output"), e.getMessage());
        assertEquals("switchd.bridges.br0.mirrors.a.output", e.path());
    }

    @Test
    void otherMistakesAreNamed() {
        ConfigError vlan = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.m1 {\n  select-ingress = [vm1]\n  select-vlans = [10,\n 4095]\n  output = mon0\n }\n}",
                "t.conf"));
        assertEquals("switchd.bridges.br0.mirrors.m1.select-vlans[1]", vlan.path());
        assertEquals(6, vlan.line());
        ConfigError key = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.m1 { select-ingress = [vm1], outptu = mon0 }\n}", "t.conf"));
        assertEquals("switchd.bridges.br0.mirrors.m1.outptu", key.path());
        ConfigError none = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.m1 { output = mon0 }\n}", "t.conf"));
        assertTrue(none.problem().contains("selects no port"), none.getMessage());
        ConfigError noOutput = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n"
                + PORTS + " mirrors.m1 { select-ingress = [vm1] }\n}", "t.conf"));
        assertEquals("switchd.bridges.br0.mirrors.m1.output", noOutput.path());
        assertEquals(3, noOutput.line());
        ConfigError list = assertThrows(ConfigError.class, () -> ConfigLoader.parse("switchd.bridges.br0 {\n" + PORTS
                + " mirrors.m1 { select-ingress = vm1, output = mon0 }\n}", "t.conf"));
        assertEquals("switchd.bridges.br0.mirrors.m1.select-ingress", list.path());
    }
}

package io.switchd.config;

import io.switchd.port.kind.VxlanSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional switchd.etcd section and a vxlan port's directory = etcd. */
class EtcdConfigTest {
    @Test
    void noSectionNoDirectory() throws Exception {
        assertNull(ConfigLoader.parse("switchd.bridges.br0.ports.eth1 {}", "t.conf").etcd());
    }

    @Test
    void theSectionWithItsDefaultsAndAPortThatAsksForIt() throws Exception {
        SwitchdConfig c = ConfigLoader.parse("switchd.etcd { endpoints = [\"http://192.0.2.10:2379\", "
                + "\"https://[2001:db8::1]:2379\"] }\n"
                + "switchd.bridges.br0.ports.vx1 { type = vxlan, vni = 1001, local = \"192.0.2.1\", directory = etcd }\n"
                + "switchd.bridges.br0.ports.vx2 { type = vxlan, vni = 1002, local = \"192.0.2.1\" }\n", "t.conf");
        assertEquals(new EtcdConfig(List.of("http://192.0.2.10:2379", "https://[2001:db8::1]:2379"), "/switchd",
                Duration.ofSeconds(10)), c.etcd());
        assertTrue(((VxlanSettings) c.bridges().get(0).ports().get(0).kindSettings()).directory());
        assertFalse(((VxlanSettings) c.bridges().get(0).ports().get(1).kindSettings()).directory());

        SwitchdConfig d = ConfigLoader.parse("switchd.etcd { endpoints = [\"http://127.0.0.1:2379\"], prefix = "
                + "\"/fleet/a\", lease = 30s }", "t.conf");
        assertEquals(new EtcdConfig(List.of("http://127.0.0.1:2379"), "/fleet/a", Duration.ofSeconds(30)), d.etcd());
    }
}

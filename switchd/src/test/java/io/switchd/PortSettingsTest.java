package io.switchd;

import io.switchd.api.model.PortChange;
import io.switchd.port.PortPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PATCH semantics: what a change names changes, the rest stays. */
class PortSettingsTest {
    private static PortChange change(String mode, Integer vlan, List<String> vlans, Integer nativeVlan) {
        return new PortChange(null, mode, vlan, vlans, nativeVlan, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void vlanModesAndMembership() {
        PortPolicy access = PortSettings.apply(PortPolicy.DEFAULT, change("access", 10, null, null));
        assertEquals(PortPolicy.builder().access(10).build(), access);
        assertEquals(PortPolicy.builder().access(20).build(), PortSettings.apply(access, change(null, 20, null, null)));
        PortPolicy trunk = PortSettings.apply(access, change("trunk", null, List.of("10-12", "30"), 1));
        assertEquals(PortPolicy.builder().trunk(List.of(10, 11, 12, 30), 1).build(), trunk);
        assertEquals(PortPolicy.builder().trunk(List.of(10, 11, 12, 30), -1).build(),
                PortSettings.apply(trunk, change(null, null, null, 0)), "native_vlan 0 removes the native VLAN");
        assertEquals(PortPolicy.DEFAULT, PortSettings.apply(trunk, change("transparent", null, null, null)));
    }

    @Test
    void flagsChangeAloneAndKeepTheVlan() {
        PortPolicy access = PortPolicy.builder().access(10).build();
        PortPolicy p = PortSettings.apply(access, new PortChange(null, null, null, null, null, 5, false, false, true, true,
                100L, null, null, 20L));
        assertEquals(PortPolicy.builder().access(10).macLimit(5).learning(false).flood(false).locked(true)
                .isolated(true).storm(100, 0, 0, 20).build(), p);
    }

    @Test
    void contradictionsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PortSettings.apply(PortPolicy.DEFAULT, change("access", null, null, null))).getMessage()
                .contains("needs a vlan"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PortSettings.apply(PortPolicy.DEFAULT, change(null, 10, null, null))).getMessage()
                .contains("vlan-mode"), "the config file's and switchctl's word");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PortSettings.apply(PortPolicy.DEFAULT, change("trunk", 10, null, null))).getMessage()
                .contains("access ports"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PortSettings.apply(PortPolicy.DEFAULT, change("hybrid", null, null, null))).getMessage()
                .contains("access, trunk or transparent"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PortSettings.apply(PortPolicy.DEFAULT, change("access", 5000, null, null))).getMessage()
                .contains("4094"));
    }
}

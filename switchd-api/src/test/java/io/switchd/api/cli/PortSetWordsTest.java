package io.switchd.api.cli;

import io.switchd.api.model.PortChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** port set's words: each setting's range checked before anything is sent, in the words typed. */
class PortSetWordsTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "vlan                  | 5000                | vlan 5000 is out of range (1-4094)",
        "vlan                  | 0                   | vlan 0 is out of range (1-4094)",
        "vlan                  | 99999999999         | vlan 99999999999 is out of range (1-4094)",
        "vlan                  | 99999999999999999999 | vlan 99999999999999999999 is out of range (1-4094)",
        "vlan                  | ten                 | vlan takes a number, not ten",
        "native-vlan           | 4095                | native-vlan 4095 is out of range (1-4094)",
        "mac-limit             | -1                  | mac-limit -1 is out of range (0-2147483647)",
        "mac-limit             | 4294967296          | mac-limit 4294967296 is out of range (0-2147483647)",
        "storm-broadcast       | -1                  | storm-broadcast -1 is out of range (0-100000000)",
        "storm-multicast       | 100000001           | storm-multicast 100000001 is out of range (0-100000000)",
        "storm-unknown-unicast | 9223372036854775808 | storm-unknown-unicast 9223372036854775808 is out of range (0-100000000)",
        "storm-burst           | 0                   | storm-burst 0 is out of range (1-100000000)",
        "vlan-mode             | hybrid              | vlan-mode takes access, trunk or transparent, not hybrid",
        "learning              | maybe               | learning takes on or off, not maybe",
    })
    void aValueOutOfRangeIsRefusedNamingTheSetting(String setting, String value, String message) {
        SwitchctlHelpTest.Run r = SwitchctlHelpTest.run("-s", "/nonexistent/switchd.sock", "port", "set", "br0", "p1",
                setting, value);
        assertEquals(2, r.status(), r.err());
        assertEquals("switchctl: " + message + "\nTry 'switchctl port set --help' for more information.\n", r.err());
    }

    @Test
    void valuesInRangeBecomeTheChange() {
        PortChange c = PortSetWords.parse(List.of("down", "vlan-mode", "trunk", "vlans", "1,10-20", "native-vlan", "none",
                "mac-limit", "0", "storm-broadcast", "100000000", "storm-burst", "1", "flood", "off"),
                new CommandLine(new Switchctl()));
        assertEquals(new PortChange("down", "trunk", null, List.of("1,10-20"), 0, 0, null, false, null, null,
                100_000_000L, null, null, 1L), c);
    }
}

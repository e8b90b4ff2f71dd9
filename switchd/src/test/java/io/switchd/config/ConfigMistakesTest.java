package io.switchd.config;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of configuration mistake, each in a file of its own: the error names that file, the
 * line of the mistake and its key path, and says what is wrong. A table, so a kind of mistake
 * that loses its place shows up as one row.
 */
class ConfigMistakesTest {
    @TempDir
    Path dir;

    static Stream<Arguments> mistakes() {
        return Stream.of(
            // syntax
            row("syntax: unclosed brace", "switchd {\n bridges {\n  br0 {{\n", 3, "switchd.bridges.br0", "expecting"),
            row("syntax: a { the file ends in", "switchd {\n bridges {\n  br0 {\n   ports { eth1 {} }\n", 3,
                    "switchd.bridges.br0", "this { is never closed"),
            row("syntax: a { not closed mid-file", "switchd {\n  threads = 2\n  bridges {\n    br0 { ageing-time = 30s\n"
                    + "    br1 {}\n  }\n}\n", 4, "switchd.bridges.br0", "this { is never closed"),
            row("syntax: a { not closed, braces in comments and strings", "switchd {\n  # { a comment\n  x = \"\"\"\n{ {\n"
                    + "\"\"\"\n  bridges {\n    br0 { ports { \"x{\" {} } } // {\n    br1 {\n  }\n}\n", 8,
                    "switchd.bridges.br1", "this { is never closed"),
            row("syntax: a [ never closed", "switchd.bridges.br0 {\n  ports { eth1 {} }\n}\nswitchd.bridges.br1.static-macs = [\n",
                    4, "switchd.bridges.br1.static-macs", "this [ is never closed"),
            row("syntax: stray token", "switchd {\n threads = 2\n ] \n}\n", 3, "switchd", "']'"),
            row("syntax: no value", "switchd = {\n bridges = {\n  br0 = { ageing-time = }\n }\n}\n", 3,
                    "switchd.bridges.br0.ageing-time", "Expecting a value"),
            row("syntax: inside a list", "switchd.bridges.br0 {\n static-macs = [\n  { mac =\n ]\n}\n",
                    4, "switchd.bridges.br0.static-macs", "Expecting a value"),
            row("syntax: bad substitution", "switchd {\n threads = ${nothing}\n}\n", 2, "switchd.threads", "nothing"),
            // unknown keys, at every level
            row("unknown root key", "swichd { }\n", 1, "swichd", "unknown key"),
            row("unknown switchd key", "switchd {\n threds = 2\n}\n", 2, "switchd.threds", "unknown key"),
            row("unknown control key", "switchd.control {\n sock = \"/x\"\n}\n", 2, "switchd.control.sock", "unknown key"),
            row("unknown metrics key", "switchd.metrics.lisen = \"127.0.0.1:1\"\n", 1, "switchd.metrics.lisen", "unknown key"),
            row("unknown bridge key", "switchd.bridges.br0 {\n ageing-tme = 30s\n}\n", 2, "switchd.bridges.br0.ageing-tme",
                    "unknown key"),
            row("unknown port key", "switchd.bridges.br0.ports {\n eth1 {\n  vlna = 10\n }\n}\n", 3,
                    "switchd.bridges.br0.ports.eth1.vlna", "unknown key"),
            row("unknown storm key", "switchd.bridges.br0.ports.eth1.storm-control {\n broadcst = 10\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.storm-control.broadcst", "unknown key"),
            row("unknown static-mac key", "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n"
                    + "  { mac = \"02:00:00:00:00:01\", port = eth1, vlna = 2 }\n ]\n}\n", 4,
                    "switchd.bridges.br0.static-macs[0].vlna", "unknown key"),
            row("unknown bridge-defaults key", "switchd.bridge-defaults {\n size = 5\n}\n", 2,
                    "switchd.bridge-defaults.size", "unknown key"),
            row("unknown port-defaults key", "switchd.port-defaults {\n kind = tap\n}\n", 2,
                    "switchd.port-defaults.kind", "unknown key"),
            // wrong types
            row("threads as a string", "switchd {\n threads = two\n}\n", 2, "switchd.threads", "whole number"),
            row("busy-poll as a number", "switchd {\n busy-poll = 1\n}\n", 2, "switchd.busy-poll", "true or false"),
            row("socket as a number", "switchd.control {\n socket = 5\n}\n", 2, "switchd.control.socket", "string"),
            row("listen as a boolean", "switchd.metrics {\n listen = true\n}\n", 2, "switchd.metrics.listen", "string"),
            row("control as a number", "switchd {\n control = 5\n}\n", 2, "switchd.control", "object"),
            row("bridges as a list", "switchd {\n bridges = []\n}\n", 2, "switchd.bridges", "object"),
            row("a bridge as a string", "switchd.bridges {\n br0 = yes\n}\n", 2, "switchd.bridges.br0", "object"),
            row("ports as a list", "switchd.bridges.br0 {\n ports = [eth1]\n}\n", 2, "switchd.bridges.br0.ports", "object"),
            row("a port as a number", "switchd.bridges.br0.ports {\n eth1 = 1\n}\n", 2, "switchd.bridges.br0.ports.eth1",
                    "object"),
            row("mac-table-size as a word", "switchd.bridges.br0 {\n mac-table-size = lots\n}\n", 2,
                    "switchd.bridges.br0.mac-table-size", "whole number"),
            row("mac-table-size as a size", "switchd.bridges.br0 {\n mac-table-size = 64k\n}\n", 2,
                    "switchd.bridges.br0.mac-table-size", "whole number"),
            row("mac-table-size fractional", "switchd.bridges.br0 {\n mac-table-size = 1.5\n}\n", 2,
                    "switchd.bridges.br0.mac-table-size", "whole number"),
            row("learning as a word", "switchd.bridges.br0.ports.eth1 {\n learning = maybe\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.learning", "true or false"),
            row("type as a number", "switchd.bridges.br0.ports.eth1 {\n type = 3\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.type", "string"),
            row("vlans not a list", "switchd.bridges.br0.ports.eth1 {\n vlan-mode = trunk\n vlans = 10\n}\n", 3,
                    "switchd.bridges.br0.ports.eth1.vlans", "list"),
            row("storm-control as a number", "switchd.bridges.br0.ports.eth1 {\n storm-control = 5\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.storm-control", "object"),
            row("static-macs as an object", "switchd.bridges.br0 {\n static-macs = {}\n}\n", 2,
                    "switchd.bridges.br0.static-macs", "list"),
            row("a static mac as a number", "switchd.bridges.br0 {\n static-macs = [\n 5\n ]\n}\n", 3,
                    "switchd.bridges.br0.static-macs[0]", "object"),
            // values out of range, huge numbers
            row("threads negative", "switchd {\n threads = -1\n}\n", 2, "switchd.threads", "0 to 1024"),
            row("threads huge", "switchd {\n threads = 1e30\n}\n", 2, "switchd.threads", "0 to 1024"),
            row("mac-table-size zero", "switchd.bridges.br0 {\n mac-table-size = 0\n}\n", 2,
                    "switchd.bridges.br0.mac-table-size", "1 to"),
            row("mac-table-size 2^63", "switchd.bridges.br0 {\n mac-table-size = 9223372036854775808\n}\n", 2,
                    "switchd.bridges.br0.mac-table-size", "1 to"),
            row("fdb-entries-limit negative", "switchd.metrics {\n fdb-entries-limit = -1\n}\n", 2,
                    "switchd.metrics.fdb-entries-limit", "0 to"),
            row("mac-limit negative", "switchd.bridges.br0.ports.eth1 {\n mac-limit = -1\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.mac-limit", "0 to"),
            row("access vlan 4095", "switchd.bridges.br0.ports.eth1 {\n vlan-mode = access\n vlan = 4095\n}\n", 3,
                    "switchd.bridges.br0.ports.eth1.vlan", "1 to 4094"),
            row("native-vlan 0", "switchd.bridges.br0.ports.eth1 {\n vlan-mode = trunk\n native-vlan = 0\n}\n", 3,
                    "switchd.bridges.br0.ports.eth1.native-vlan", "1 to 4094"),
            row("storm rate over the top", "switchd.bridges.br0.ports.eth1.storm-control {\n broadcast = 100000001\n}\n",
                    2, "switchd.bridges.br0.ports.eth1.storm-control.broadcast", "0 to 100000000"),
            row("storm burst zero", "switchd.bridges.br0.ports.eth1.storm-control {\n burst = 0\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.storm-control.burst", "1 to"),
            row("group-forward-mask too wide", "switchd.bridges.br0 {\n group-forward-mask = 0x10000\n}\n", 2,
                    "switchd.bridges.br0.group-forward-mask", "0xffff"),
            row("group-forward-mask PAUSE", "switchd.bridges.br0 {\n group-forward-mask = 2\n}\n", 2,
                    "switchd.bridges.br0.group-forward-mask", "PAUSE"),
            row("group-forward-mask not hex", "switchd.bridges.br0 {\n group-forward-mask = \"0xzz\"\n}\n", 2,
                    "switchd.bridges.br0.group-forward-mask", "0xffff"),
            row("listen not host:port", "switchd.metrics {\n listen = nowhere\n}\n", 2, "switchd.metrics.listen",
                    "host:port"),
            row("socket not absolute", "switchd.control {\n socket = run/x.sock\n}\n", 2, "switchd.control.socket",
                    "absolute"),
            row("admin neither up nor down", "switchd.bridges.br0.ports.eth1 {\n admin = sideways\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.admin", "up or down"),
            row("type unknown", "switchd.bridges.br0.ports.eth1 {\n type = vde\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.type", "tap, netdev, vhost-user or vxlan"),
            row("persistent netdev", "switchd.bridges.br0.ports.eth1 {\n persistent = true\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.persistent", "only tap"),
            row("vxlan without vni", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n local = \"192.0.2.1\"\n}\n", 2,
                    "switchd.bridges.br0.ports.vx1.vni", "needs vni"),
            row("vxlan vni 0", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n local = \"192.0.2.1\"\n vni = 0\n}\n",
                    4, "switchd.bridges.br0.ports.vx1.vni", "from 1 to 16777215"),
            row("vxlan vni over 24 bits", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 16777216\n"
                    + " local = \"192.0.2.1\"\n}\n", 3, "switchd.bridges.br0.ports.vx1.vni", "from 1 to 16777215"),
            row("vxlan without local", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n}\n", 2,
                    "switchd.bridges.br0.ports.vx1.local", "needs local"),
            row("vxlan local not an address", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"host-a.example\"\n}\n", 4, "switchd.bridges.br0.ports.vx1.local",
                    "IPv4 or IPv6 address, not \"host-a.example\""),
            row("vxlan local 300.1.1.1", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"300.1.1.1\"\n}\n", 4, "switchd.bridges.br0.ports.vx1.local", "IPv4 or IPv6 address"),
            row("vxlan remote not an address", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n remotes = [\n  \"192.0.2.2\"\n  \"192.0.2\"\n ]\n}\n", 7,
                    "switchd.bridges.br0.ports.vx1.remotes[1]", "IPv4 or IPv6 address"),
            row("vxlan remotes not a list", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n remotes = \"192.0.2.2\"\n}\n", 5,
                    "switchd.bridges.br0.ports.vx1.remotes", "list of strings"),
            row("vxlan remote twice", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n remotes = [\"192.0.2.2\", \"192.0.2.2\"]\n}\n", 5,
                    "switchd.bridges.br0.ports.vx1.remotes", "listed twice"),
            row("vxlan: two ports on one vni", "switchd.bridges.br0.ports {\n vx1 { type = vxlan, vni = 1001, local = \"192.0.2.1\" }\n"
                    + " vx2 {\n  type = vxlan\n  vni = 1001\n  local = \"192.0.2.5\"\n }\n}\n", 5,
                    "switchd.bridges.br0.ports.vx2.vni", "vni 1001 (dstport 4789) is port br0/vx1's already"),
            row("vxlan ttl 0", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n ttl = 0\n}\n", 5, "switchd.bridges.br0.ports.vx1.ttl", "1 to 255"),
            row("vxlan ttl 256", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n ttl = 256\n}\n", 5, "switchd.bridges.br0.ports.vx1.ttl", "1 to 255"),
            row("vxlan tos 256", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n tos = 256\n}\n", 5, "switchd.bridges.br0.ports.vx1.tos", "0 to 255"),
            row("vxlan tos -1", "switchd.bridges.br0.ports.vx1 {\n type = vxlan\n vni = 1001\n"
                    + " local = \"192.0.2.1\"\n tos = -1\n}\n", 5, "switchd.bridges.br0.ports.vx1.tos", "0 to 255"),
            row("ttl on a netdev", "switchd.bridges.br0.ports.eth1 {\n type = netdev\n ttl = 64\n}\n",
                    3, "switchd.bridges.br0.ports.eth1.ttl", "only vxlan ports have a ttl"),
            row("remotes on a netdev", "switchd.bridges.br0.ports.eth1 {\n type = netdev\n remotes = [\"192.0.2.2\"]\n}\n",
                    3, "switchd.bridges.br0.ports.eth1.remotes", "only vxlan ports have remotes"),
            row("vni on a tap", "switchd.bridges.br0.ports.tap1 {\n type = tap\n vni = 5\n}\n",
                    3, "switchd.bridges.br0.ports.tap1.vni", "only vxlan ports have a vni"),
            row("vhost-user without socket", "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n}\n", 2,
                    "switchd.bridges.br0.ports.vm1.socket", "needs socket"),
            row("vhost-user socket relative", "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n"
                    + " socket = \"vm1.sock\"\n}\n", 3, "switchd.bridges.br0.ports.vm1.socket", "absolute path"),
            row("vhost-user socket a number", "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n socket = 5\n}\n",
                    3, "switchd.bridges.br0.ports.vm1.socket", "must be a string"),
            row("vhost-user socket too long", "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n socket = \"/"
                    + "x".repeat(107) + "\"\n}\n", 3, "switchd.bridges.br0.ports.vm1.socket", "107 bytes"),
            row("vhost-user mode unknown", "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n"
                    + " socket = \"/run/vm1.sock\"\n mode = both\n}\n", 4, "switchd.bridges.br0.ports.vm1.mode",
                    "server or client"),
            row("two vhost-user ports on one socket", "switchd.bridges.br0.ports {\n"
                    + " vm1 { type = vhost-user, socket = \"/run/vm.sock\" }\n"
                    + " vm2 { type = vhost-user, socket = \"/run/vm.sock\" }\n}\n", 3,
                    "switchd.bridges.br0.ports.vm2.socket", "is port br0/vm1's already"),
            row("socket on a netdev", "switchd.bridges.br0.ports.eth1 {\n socket = \"/run/x.sock\"\n}\n", 2,
                    "switchd.bridges.br0.ports.eth1.socket", "only vhost-user ports have a socket"),
            row("mode on a tap", "switchd.bridges.br0.ports.t1 {\n type = tap\n mode = client\n}\n", 3,
                    "switchd.bridges.br0.ports.t1.mode", "only vhost-user ports have a mode"),
            row("persistent vhost-user", "switchd.bridges.br0.ports.vm1 {\n type = vhost-user\n"
                    + " socket = \"/run/vm1.sock\"\n persistent = true\n}\n", 4,
                    "switchd.bridges.br0.ports.vm1.persistent", "only tap"),
            row("socket in port-defaults", "switchd.port-defaults {\n socket = \"/run/x.sock\"\n}\n", 2,
                    "switchd.port-defaults.socket", "set it on the port"),
            row("bad bridge name", "switchd.bridges {\n \"bad name!\" {}\n}\n", 2, "switchd.bridges.\"bad name!\"",
                    "bridge name"),
            // durations
            row("ageing-time a word", "switchd.bridges.br0 {\n ageing-time = soon\n}\n", 2,
                    "switchd.bridges.br0.ageing-time", "duration"),
            row("ageing-time a bad unit", "switchd.bridges.br0 {\n ageing-time = 10 parsecs\n}\n", 2,
                    "switchd.bridges.br0.ageing-time", "duration"),
            row("ageing-time negative", "switchd.bridges.br0 {\n ageing-time = -1s\n}\n", 2,
                    "switchd.bridges.br0.ageing-time", "between"),
            row("ageing-time too long", "switchd.bridges.br0 {\n ageing-time = 400d\n}\n", 2,
                    "switchd.bridges.br0.ageing-time", "between"),
            // ports and interfaces
            row("a port in two bridges", "switchd.bridges {\n a.ports.eth1 {}\n b.ports.eth1 {}\n}\n", 3,
                    "switchd.bridges.b.ports.eth1", "already in bridge a"),
            row("interface name too long", "switchd.bridges.br0.ports {\n much-too-long-name {}\n}\n", 2,
                    "switchd.bridges.br0.ports.much-too-long-name", "interface name"),
            row("interface name with a slash", "switchd.bridges.br0.ports {\n \"a/b\" {}\n}\n", 2,
                    "switchd.bridges.br0.ports.\"a/b\"", "interface name"),
            row("interface name dot", "switchd.bridges.br0.ports {\n \".\" {}\n}\n", 2,
                    "switchd.bridges.br0.ports.\".\"", "interface name"),
            // VLAN lists
            row("vlan range backwards", "switchd.bridges.br0.ports.up {\n vlan-mode = trunk\n vlans = [\"20-10\"]\n}\n", 3,
                    "switchd.bridges.br0.ports.up.vlans", "20-10"),
            row("vlan not a number", "switchd.bridges.br0.ports.up {\n vlan-mode = trunk\n vlans = [x]\n}\n", 3,
                    "switchd.bridges.br0.ports.up.vlans", "not a VLAN id"),
            row("vlan zero in a list", "switchd.bridges.br0.ports.up {\n vlan-mode = trunk\n vlans = [0]\n}\n", 3,
                    "switchd.bridges.br0.ports.up.vlans", "within 1-4094"),
            row("vlan range too high", "switchd.bridges.br0.ports.up {\n vlan-mode = trunk\n vlans = [\"1-5000\"]\n}\n", 3,
                    "switchd.bridges.br0.ports.up.vlans", "within 1-4094"),
            row("vlan fractional", "switchd.bridges.br0.ports.up {\n vlan-mode = trunk\n vlans = [1.5]\n}\n", 3,
                    "switchd.bridges.br0.ports.up.vlans", "not a VLAN id"),
            row("an empty trunk", "switchd.bridges.br0.ports.up {\n vlan-mode = trunk\n}\n", 2,
                    "switchd.bridges.br0.ports.up.vlans", "needs vlans"),
            row("vlan on a transparent port", "switchd.bridges.br0.ports.up {\n vlan = 10\n}\n", 2,
                    "switchd.bridges.br0.ports.up.vlan", "does not apply"),
            row("an unknown vlan-mode", "switchd.bridges.br0.ports.up {\n vlan-mode = hybrid\n}\n", 2,
                    "switchd.bridges.br0.ports.up.vlan-mode", "access or trunk"),
            // static entries
            row("static mac malformed", "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n"
                    + "  { mac = \"02:00:00:00:01\", port = eth1 }\n ]\n}\n", 4, "switchd.bridges.br0.static-macs[0].mac",
                    "not a MAC address"),
            row("static mac multicast", "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n"
                    + "  { mac = \"01:00:5e:00:00:01\", port = eth1 }\n ]\n}\n", 4, "switchd.bridges.br0.static-macs[0].mac",
                    "unicast"),
            row("static mac on another bridge's port", "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n"
                    + "  { mac = \"02:00:00:00:00:01\", port = eth2 }\n ]\n}\n", 4,
                    "switchd.bridges.br0.static-macs[0].port", "not a port of bridge br0"),
            row("static mac vlan out of range", "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n"
                    + "  { mac = \"02:00:00:00:00:01\", port = eth1, vlan = 4095 }\n ]\n}\n", 4,
                    "switchd.bridges.br0.static-macs[0].vlan", "0 to 4094"),
            row("static mac without a port", "switchd.bridges.br0 {\n ports.eth1 {}\n static-macs = [\n"
                    + "  { mac = \"02:00:00:00:00:01\" }\n ]\n}\n", 4, "switchd.bridges.br0.static-macs[0].port", "missing")
        );
    }

    private static Arguments row(String what, String text, int line, String path, String problem) {
        return Arguments.of(what, text, line, path, problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void eachMistakeNamesFileLineAndKeyPath(String what, String text, int line, String path, String problem)
            throws Exception {
        Path file = dir.resolve("switchd.conf");
        Files.writeString(file, text);
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(file));
        assertEquals(file.toString(), e.file(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.problem().contains(problem), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ":" + line + ": " + path + ": "), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void anIncludedFileIsNamedForItsOwnMistakes(String what, String text, int line, String path, String problem)
            throws Exception {
        Path included = dir.resolve("included.conf");
        Files.writeString(included, text);
        Path file = dir.resolve("switchd.conf");
        Files.writeString(file, "# the bridges live elsewhere\ninclude \"included.conf\"\n");
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(file));
        assertEquals(included.toString(), e.file(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(path, e.path(), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"include \"missing.conf\"", "include file(\"missing.conf\")",
        "include required(\"missing.conf\")"})
    void anIncludeOfAMissingFileNamesTheIncludeLine(String include) throws Exception {
        Path file = dir.resolve("switchd.conf");
        Files.writeString(file, "switchd {\n  threads = 1\n}\n" + include + "\n");
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(file));
        assertEquals(file.toString(), e.file(), e.getMessage());
        assertEquals(4, e.line(), e.getMessage());
        assertTrue(e.problem().contains("missing.conf"), e.getMessage());
    }
}

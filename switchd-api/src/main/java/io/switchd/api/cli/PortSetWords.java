package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.model.PortChange;
import picocli.CommandLine;

import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** {@code port set}'s words ("learning off isolated on vlan 10") to a PortChange, and a port's settings back to text. */
final class PortSetWords {
    private PortSetWords() {}

    static PortChange parse(List<String> words, CommandLine cmd) {
        String admin = null;
        String vlanMode = null;
        Integer vlan = null;
        List<String> vlans = null;
        Integer nativeVlan = null;
        Integer macLimit = null;
        Boolean learning = null;
        Boolean flood = null;
        Boolean locked = null;
        Boolean isolated = null;
        Long stormBroadcast = null;
        Long stormMulticast = null;
        Long stormUnknown = null;
        Long stormBurst = null;
        Long stpCost = null;
        Integer stpPriority = null;
        String edge = null;
        Boolean bpduGuard = null;
        Boolean rootGuard = null;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("up") || w.equals("down")) {
                admin = w;
                continue;
            }
            if (i + 1 >= words.size()) {
                throw new CommandLine.ParameterException(cmd, w + " needs a value");
            }
            String v = words.get(++i);
            switch (w) {
                case "vlan-mode" -> vlanMode = oneOf(cmd, w, v, "access", "trunk", "transparent");
                case "vlan" -> vlan = (int) number(cmd, w, v, 1, PortChange.MAX_VLAN);
                case "vlans" -> vlans = List.of(v); // the daemon reads the list, and says which item is wrong
                case "native-vlan" -> nativeVlan = v.equals("none") ? 0 : (int) number(cmd, w, v, 1, PortChange.MAX_VLAN);
                case "mac-limit" -> macLimit = (int) number(cmd, w, v, 0, Integer.MAX_VALUE);
                case "learning" -> learning = onOff(cmd, w, v);
                case "flood" -> flood = onOff(cmd, w, v);
                case "locked" -> locked = onOff(cmd, w, v);
                case "isolated" -> isolated = onOff(cmd, w, v);
                case "storm-broadcast" -> stormBroadcast = number(cmd, w, v, 0, PortChange.MAX_STORM);
                case "storm-multicast" -> stormMulticast = number(cmd, w, v, 0, PortChange.MAX_STORM);
                case "storm-unknown-unicast" -> stormUnknown = number(cmd, w, v, 0, PortChange.MAX_STORM);
                case "storm-burst" -> stormBurst = number(cmd, w, v, 1, PortChange.MAX_STORM);
                case "stp-cost" -> stpCost = v.equals("auto") ? 0 : number(cmd, w, v, 1, 200_000_000);
                case "stp-priority" -> stpPriority = (int) number(cmd, w, v, 0, 240);
                case "edge" -> edge = oneOf(cmd, w, v, "on", "off", "auto");
                case "bpdu-guard" -> bpduGuard = onOff(cmd, w, v);
                case "root-guard" -> rootGuard = onOff(cmd, w, v);
                default -> throw new CommandLine.ParameterException(cmd, "unknown setting " + w
                        + " (see switchctl port set --help)");
            }
        }
        return new PortChange(admin, vlanMode, vlan, vlans, nativeVlan, macLimit, learning, flood, locked, isolated,
                stormBroadcast, stormMulticast, stormUnknown, stormBurst, stpCost, stpPriority, edge, bpduGuard, rootGuard);
    }

    /** {@code v} as a number from {@code min} to {@code max}, checked here so that the message names the word typed. */
    private static long number(CommandLine cmd, String what, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            if (v.matches("-?[0-9]+")) {
                n = v.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // too long for a long: out of range below
            } else {
                throw new CommandLine.ParameterException(cmd, what + " takes a number, not " + v);
            }
        }
        if (n < min || n > max) {
            throw new CommandLine.ParameterException(cmd, what + " " + v + " is out of range (" + min + "-" + max + ")");
        }
        return n;
    }

    private static String oneOf(CommandLine cmd, String what, String v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        String choices = String.join(", ", List.of(allowed).subList(0, allowed.length - 1)) + " or " + allowed[allowed.length - 1];
        throw new CommandLine.ParameterException(cmd, what + " takes " + choices + ", not " + v);
    }

    private static boolean onOff(CommandLine cmd, String what, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new CommandLine.ParameterException(cmd, what + " takes on or off, not " + v);
        };
    }

    /** "access 10", "trunk 10-20 native 1" or "-". */
    static String vlanText(JsonNode p) {
        String mode = p.path("vlan_mode").asText("transparent");
        if (mode.equals("access")) {
            return "access " + p.get("vlan").asInt();
        }
        if (mode.equals("trunk")) {
            String vlans = p.hasNonNull("vlans") && !p.get("vlans").asText().isEmpty() ? p.get("vlans").asText() : "-";
            return "trunk " + vlans + (p.hasNonNull("native_vlan") ? " native " + p.get("native_vlan").asInt() : "");
        }
        return "-";
    }

    /** The settings that differ from the defaults, comma-separated, or "-". */
    static String flagsText(JsonNode p) {
        StringJoiner j = new StringJoiner(",");
        j.setEmptyValue("-");
        if (!p.path("learning").asBoolean(true)) {
            j.add("no-learning");
        }
        if (!p.path("flood").asBoolean(true)) {
            j.add("no-flood");
        }
        if (p.path("locked").asBoolean(false)) {
            j.add("locked");
        }
        if (p.path("isolated").asBoolean(false)) {
            j.add("isolated");
        }
        if (p.path("mac_limit").asInt(0) > 0) {
            j.add("mac-limit=" + p.get("mac_limit").asInt());
        }
        if (p.hasNonNull("mirror_output")) {
            j.add("mirror-output=" + p.get("mirror_output").asText());
        }
        JsonNode storm = p.path("storm_control");
        for (String k : new String[] {"broadcast", "multicast", "unknown_unicast"}) {
            if (storm.path(k).asLong(0) > 0) {
                j.add("storm-" + k.replace('_', '-') + "=" + storm.get(k).asLong() + "/s");
            }
        }
        return j.toString();
    }
}

package io.switchd.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One port mirror, as Open vSwitch's Mirror: frames received on {@code selectIngress} ports and
 * frames sent to {@code selectEgress} ports, only those on {@code selectVlans} if it names any, are
 * copied to the {@code output} port, which then takes no part in forwarding.
 */
public record MirrorConfig(String name, List<String> selectIngress, List<String> selectEgress,
                           List<Integer> selectVlans, String output) {
    /**
     * At most this many mirrors on one bridge: the data path keeps one bit per mirror in an int
     * (Open vSwitch allows 32 too).
     */
    public static final int MAX_PER_BRIDGE = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** One mistake in a mirror: the config key it is about and what is wrong. */
    public record Problem(String key, String message) {}

    public MirrorConfig {
        selectIngress = List.copyOf(selectIngress);
        selectEgress = List.copyOf(selectEgress);
        selectVlans = List.copyOf(selectVlans);
    }

    /** What is wrong with the mirror's name, or null if nothing. */
    public static String nameProblem(String name) {
        return name != null && NAME.matcher(name).matches() ? null
                : "a mirror name is 1 to 64 letters, digits, '.', '_' or '-'";
    }

    /** What is wrong with a VLAN to select, or null if nothing. */
    public static String vlanProblem(int vlan) {
        return vlan >= 0 && vlan <= 4094 ? null : "a VLAN to select is from 0 to 4094, not " + vlan;
    }

    /**
     * The mistakes in this mirror on a bridge with {@code ports} beside the bridge's {@code others}
     * mirrors; none when it can run. One check for the config file, the API and a reload's merge,
     * so all refuse the same things.
     */
    public List<Problem> problems(Collection<String> ports, Collection<MirrorConfig> others) {
        List<Problem> out = new ArrayList<>();
        if (selectIngress.isEmpty() && selectEgress.isEmpty()) {
            out.add(new Problem("select-ingress", "mirror " + name + " selects no port: name ports in select-ingress "
                    + "or select-egress"));
        }
        unknown(out, "select-ingress", selectIngress, ports);
        unknown(out, "select-egress", selectEgress, ports);
        if (output == null || output.isEmpty()) {
            out.add(new Problem("output", "mirror " + name + " needs an output port"));
            return out;
        }
        if (!ports.contains(output)) {
            out.add(new Problem("output", "port " + output + " is not a port of the bridge"));
        }
        if (selectIngress.contains(output) || selectEgress.contains(output)) {
            out.add(new Problem("output", "port " + output + " is mirror " + name + "'s output and one of the ports it "
                    + "selects; the output takes no part in forwarding, so it cannot be selected"));
        }
        for (MirrorConfig o : others) {
            if (!o.name.equals(name) && output.equals(o.output)) {
                out.add(new Problem("output", "port " + output + " is already mirror " + o.name + "'s output; "
                        + "each mirror needs its own"));
            }
        }
        for (int v : selectVlans) {
            String p = vlanProblem(v);
            if (p != null) {
                out.add(new Problem("select-vlans", p));
            }
        }
        return out;
    }

    private void unknown(List<Problem> out, String key, List<String> selected, Collection<String> ports) {
        for (String p : selected) {
            if (!ports.contains(p)) {
                out.add(new Problem(key, "port " + p + " is not a port of the bridge"));
            }
        }
    }

    /** Every port the mirror names, selected or output. */
    public List<String> ports() {
        List<String> out = new ArrayList<>(selectIngress);
        out.addAll(selectEgress);
        out.add(output);
        return out;
    }
}

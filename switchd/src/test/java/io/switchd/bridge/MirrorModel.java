package io.switchd.bridge;

import io.switchd.config.MirrorConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the fuzzer chose for one mirror, by port index, kept apart from {@link MirrorConfig} and
 * {@link MirrorSet} so the checks in {@link FuzzedBridge} do not ask the code under test which
 * copies it owes. An index equal to the number of ports stands for a name that is not on the
 * bridge (the bridge then mirrors nothing there), as a port removed after the mirror was set up.
 *
 * @param ingress the ports whose received frames are copied
 * @param egress the ports whose sent frames are copied
 * @param vlans the VLANs copied; empty for all
 * @param output the port the copies go to
 */
record MirrorModel(String name, Set<Integer> ingress, Set<Integer> egress, Set<Integer> vlans, int output) {

    /** The configuration the bridge runs for this mirror; port {@code i} is named "p" + i. */
    MirrorConfig config() {
        return new MirrorConfig(name, names(ingress), names(egress), List.copyOf(vlans), "p" + output);
    }

    /** Whether a frame classified into {@code vlan} is one this mirror copies. */
    boolean selectsVlan(int vlan) {
        return vlans.isEmpty() || vlans.contains(vlan);
    }

    private static List<String> names(Set<Integer> indexes) {
        List<String> out = new ArrayList<>();
        for (int i : indexes) {
            out.add("p" + i);
        }
        return out;
    }
}

package io.switchd.bridge;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.switchd.port.PortPolicy;

import java.util.ArrayList;
import java.util.List;

/**
 * What the fuzzer chose for one port, kept apart from {@link PortPolicy} so the checks in
 * {@link FuzzedBridge} do not ask the code under test what it should have done: VLAN mode and
 * membership, the flags, and storm-control buckets counted with the clock standing still.
 */
final class PortModel {
    /** VLANs the fuzzer picks from: few, so ports share them often. */
    static final int[] VLANS = {1, 2, 3, 100, 4094};
    static final int TRANSPARENT = 0;
    static final int ACCESS = 1;
    static final int TRUNK = 2;

    final int mode;
    final int accessVlan;
    final List<Integer> trunkVlans;
    final int nativeVlan;
    final int macLimit;
    final boolean learning;
    final boolean flood;
    final boolean locked;
    final boolean isolated;
    /** Storm-control rates (broadcast, multicast, unknown unicast; 0 for none) and burst. */
    final long[] stormRate;
    final long stormBurst;
    /** Frames each bucket admitted since the policy was set; time never passes, so nothing refills. */
    final long[] stormTaken = new long[3];
    final PortPolicy policy;

    private PortModel(int mode, int accessVlan, List<Integer> trunkVlans, int nativeVlan, int macLimit,
                      boolean learning, boolean flood, boolean locked, boolean isolated, long[] stormRate,
                      long stormBurst) {
        this.mode = mode;
        this.accessVlan = accessVlan;
        this.trunkVlans = trunkVlans;
        this.nativeVlan = nativeVlan;
        this.macLimit = macLimit;
        this.learning = learning;
        this.flood = flood;
        this.locked = locked;
        this.isolated = isolated;
        this.stormRate = stormRate;
        this.stormBurst = stormBurst;
        PortPolicy.Builder b = PortPolicy.builder();
        if (mode == ACCESS) {
            b.access(accessVlan);
        } else if (mode == TRUNK) {
            b.trunk(trunkVlans, nativeVlan);
        }
        this.policy = b.macLimit(macLimit).learning(learning).flood(flood).locked(locked).isolated(isolated)
                .storm(stormRate[0], stormRate[1], stormRate[2], stormBurst).build();
    }

    /** A port's settings as the fuzzer picks them. */
    static PortModel pick(FuzzedDataProvider d) {
        int mode = d.consumeInt(TRANSPARENT, TRUNK);
        int access = mode == ACCESS ? d.pickValue(VLANS) : -1;
        List<Integer> trunk = new ArrayList<>();
        int nativeVlan = -1;
        if (mode == TRUNK) {
            for (int v : VLANS) {
                if (d.consumeBoolean()) {
                    trunk.add(v);
                }
            }
            nativeVlan = d.consumeBoolean() ? d.pickValue(VLANS) : -1;
        }
        long[] rates = new long[3];
        long burst = 100;
        if (d.consumeBoolean()) {
            for (int i = 0; i < 3; i++) {
                rates[i] = d.consumeInt(0, 3);
            }
            burst = d.consumeInt(1, 3);
        }
        return new PortModel(mode, access, trunk, nativeVlan, d.consumeInt(0, 3), d.consumeBoolean(),
                d.consumeBoolean(), d.consumeInt(0, 3) == 0, d.consumeBoolean(), rates, burst);
    }

    /** Whether frames of {@code vlan} may enter and leave here. */
    boolean carries(int vlan) {
        switch (mode) {
            case ACCESS:
                return vlan == accessVlan;
            case TRUNK:
                return vlan == nativeVlan || (vlan > 0 && trunkVlans.contains(vlan));
            default:
                return vlan >= 0 && vlan <= PortPolicy.MAX_VID;
        }
    }

    /** The VLAN of a frame arriving with tag VLAN id {@code tagVid} (-1 untagged; 0 a priority tag), or -1: dropped. */
    int classify(int tagVid) {
        switch (mode) {
            case ACCESS:
                return tagVid > 0 ? -1 : accessVlan;
            case TRUNK:
                if (tagVid <= 0) {
                    return nativeVlan;
                }
                return trunkVlans.contains(tagVid) || tagVid == nativeVlan ? tagVid : -1;
            default:
                return Math.max(tagVid, 0);
        }
    }

    /** Whether a frame of {@code vlan} leaves here with a tag. */
    boolean tagsOnEgress(int vlan) {
        switch (mode) {
            case ACCESS:
                return false;
            case TRUNK:
                return vlan != nativeVlan;
            default:
                return vlan != 0;
        }
    }

    /** Takes a token from storm bucket {@code bucket}; false when the bucket is empty. */
    boolean admit(int bucket) {
        if (stormRate[bucket] == 0) {
            return true;
        }
        if (stormTaken[bucket] >= stormBurst) {
            return false;
        }
        stormTaken[bucket]++;
        return true;
    }
}

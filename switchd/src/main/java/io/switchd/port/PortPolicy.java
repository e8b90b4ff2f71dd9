package io.switchd.port;

import io.switchd.api.model.PortChange;

import java.util.ArrayList;
import java.util.List;

/**
 * A port's forwarding settings, as the bridge's per-port flags and OVS's port VLAN modes: VLAN
 * mode and membership, learning, flooding, locking, isolation, a MAC limit and storm control.
 * Immutable and published whole, so the data path reads one consistent set per frame.
 */
public final class PortPolicy {
    /** The highest VLAN id a frame may be in; 4095 is reserved. */
    public static final int MAX_VID = PortChange.MAX_VLAN;
    /** The highest storm-control rate (frames per second) and burst: far above any link's frame rate. */
    public static final long MAX_STORM = PortChange.MAX_STORM;
    /** What a port without settings does: transparent, learning, flooding, unlocked, not isolated. */
    public static final PortPolicy DEFAULT = builder().build();

    private final VlanMode mode;
    private final int accessVlan;
    private final int nativeVlan;
    private final long[] members;
    private final int macLimit;
    private final boolean learning;
    private final boolean flood;
    private final boolean locked;
    private final boolean isolated;
    private final StormControl storm;

    private PortPolicy(Builder b) {
        this.mode = b.mode;
        this.accessVlan = b.accessVlan;
        this.nativeVlan = b.nativeVlan;
        this.members = b.members.clone();
        this.macLimit = b.macLimit;
        this.learning = b.learning;
        this.flood = b.flood;
        this.locked = b.locked;
        this.isolated = b.isolated;
        this.storm = new StormControl(b.stormBroadcast, b.stormMulticast, b.stormUnknownUnicast, b.stormBurst);
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings; storm buckets start full again. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.accessVlan = accessVlan;
        b.nativeVlan = nativeVlan;
        b.members = members.clone();
        b.macLimit = macLimit;
        b.learning = learning;
        b.flood = flood;
        b.locked = locked;
        b.isolated = isolated;
        b.stormBroadcast = storm.rate(StormControl.BROADCAST);
        b.stormMulticast = storm.rate(StormControl.MULTICAST);
        b.stormUnknownUnicast = storm.rate(StormControl.UNKNOWN_UNICAST);
        b.stormBurst = storm.burst();
        return b;
    }

    /**
     * The VLAN a frame arriving here belongs to: {@code tagVid} is its tag's VLAN id, or -1 when
     * untagged. Returns the VLAN, or a negative {@code DROP_*} code.
     */
    public int classify(int tagVid) {
        switch (mode) {
            case ACCESS:
                return tagVid > 0 ? DROP_TAGGED_ON_ACCESS : accessVlan;
            case TRUNK:
                if (tagVid <= 0) {
                    return nativeVlan >= 0 ? nativeVlan : DROP_NOT_MEMBER;
                }
                return carries(tagVid) ? tagVid : DROP_NOT_MEMBER;
            default:
                return tagVid < 0 ? 0 : tagVid;
        }
    }

    /** classify: a tagged frame on an access port. */
    public static final int DROP_TAGGED_ON_ACCESS = -1;
    /** classify: a VLAN the port does not carry. */
    public static final int DROP_NOT_MEMBER = -2;

    /** Whether frames of {@code vlan} may leave by this port. */
    public boolean carries(int vlan) {
        return (members[vlan >>> 6] & (1L << vlan)) != 0;
    }

    /** Whether a frame of {@code vlan} leaves this port tagged (else untagged). */
    public boolean tagsOnEgress(int vlan) {
        switch (mode) {
            case ACCESS:
                return false;
            case TRUNK:
                return vlan != nativeVlan;
            default:
                return vlan != 0;
        }
    }

    public VlanMode mode() {
        return mode;
    }

    /** The access VLAN, or -1. */
    public int accessVlan() {
        return accessVlan;
    }

    /** The native VLAN of a trunk, or -1. */
    public int nativeVlan() {
        return nativeVlan;
    }

    /** The tagged VLANs of a trunk, ascending. */
    public List<Integer> trunkVlans() {
        List<Integer> out = new ArrayList<>();
        if (mode == VlanMode.TRUNK) {
            for (int v = 1; v <= MAX_VID; v++) {
                if (carries(v) && v != nativeVlan) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** Learned addresses allowed behind this port; 0 for no limit. */
    public int macLimit() {
        return macLimit;
    }

    public boolean learning() {
        return learning;
    }

    /** Whether unknown unicast is flooded to this port. */
    public boolean flood() {
        return flood;
    }

    /** Whether only sources with a static entry on this port may send. */
    public boolean locked() {
        return locked;
    }

    /** Whether this port reaches only non-isolated ports. */
    public boolean isolated() {
        return isolated;
    }

    /** The storm control buckets. */
    public StormControl storm() {
        return storm;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PortPolicy p)) {
            return false;
        }
        return mode == p.mode && accessVlan == p.accessVlan && nativeVlan == p.nativeVlan
                && java.util.Arrays.equals(members, p.members) && macLimit == p.macLimit && learning == p.learning
                && flood == p.flood && locked == p.locked && isolated == p.isolated
                && storm.rate(StormControl.BROADCAST) == p.storm.rate(StormControl.BROADCAST)
                && storm.rate(StormControl.MULTICAST) == p.storm.rate(StormControl.MULTICAST)
                && storm.rate(StormControl.UNKNOWN_UNICAST) == p.storm.rate(StormControl.UNKNOWN_UNICAST)
                && storm.burst() == p.storm.burst();
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(mode, accessVlan, nativeVlan, java.util.Arrays.hashCode(members), macLimit,
                learning, flood, locked, isolated, storm.rate(StormControl.BROADCAST));
    }

    @Override
    public String toString() {
        return "PortPolicy[" + mode.configName() + (accessVlan >= 0 ? " vlan " + accessVlan : "")
                + (mode == VlanMode.TRUNK ? " vlans " + VlanList.format(trunkVlans()) + " native " + nativeVlan : "")
                + " mac-limit " + macLimit + " learning " + learning + " flood " + flood + " locked " + locked
                + " isolated " + isolated + " storm " + storm.rate(StormControl.BROADCAST) + "/"
                + storm.rate(StormControl.MULTICAST) + "/" + storm.rate(StormControl.UNKNOWN_UNICAST) + " burst "
                + storm.burst() + "]";
    }

    /** Builds a {@link PortPolicy}; setters check their ranges and throw IllegalArgumentException. */
    public static final class Builder {
        private VlanMode mode = VlanMode.TRANSPARENT;
        private int accessVlan = -1;
        private int nativeVlan = -1;
        private long[] members = allVlans();
        private int macLimit;
        private boolean learning = true;
        private boolean flood = true;
        private boolean locked;
        private boolean isolated;
        private long stormBroadcast;
        private long stormMulticast;
        private long stormUnknownUnicast;
        private long stormBurst = 100;

        private static long[] allVlans() {
            long[] m = new long[64];
            java.util.Arrays.fill(m, -1L);
            m[63] &= ~(1L << 63); // 4095 is never a member
            return m;
        }

        /** No VLAN settings. */
        public Builder transparent() {
            mode = VlanMode.TRANSPARENT;
            accessVlan = -1;
            nativeVlan = -1;
            members = allVlans();
            return this;
        }

        /** Untagged, in VLAN {@code vlan}. */
        public Builder access(int vlan) {
            checkVid(vlan, "vlan");
            mode = VlanMode.ACCESS;
            accessVlan = vlan;
            nativeVlan = -1;
            members = new long[64];
            add(vlan);
            return this;
        }

        /** Tagged {@code vlans}, and {@code nativeVlan} untagged (-1 for none). */
        public Builder trunk(List<Integer> vlans, int nativeVlan) {
            mode = VlanMode.TRUNK;
            accessVlan = -1;
            members = new long[64];
            for (int v : vlans) {
                checkVid(v, "vlans");
                add(v);
            }
            if (nativeVlan >= 0) {
                checkVid(nativeVlan, "native-vlan");
                add(nativeVlan);
            }
            this.nativeVlan = nativeVlan;
            return this;
        }

        private void add(int v) {
            members[v >>> 6] |= 1L << v;
        }

        private static void checkVid(int v, String what) {
            if (v < 1 || v > MAX_VID) {
                throw new IllegalArgumentException(what + " must be a VLAN id from 1 to " + MAX_VID + ", not " + v);
            }
        }

        public Builder macLimit(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("mac-limit must be 0 (none) or more, not " + limit);
            }
            macLimit = limit;
            return this;
        }

        public Builder learning(boolean on) {
            learning = on;
            return this;
        }

        public Builder flood(boolean on) {
            flood = on;
            return this;
        }

        public Builder locked(boolean on) {
            locked = on;
            return this;
        }

        public Builder isolated(boolean on) {
            isolated = on;
            return this;
        }

        /**
         * Storm control rates in frames per second (0: none) and the burst in frames, each at most
         * {@link #MAX_STORM}: beyond that the token arithmetic would overflow a long.
         */
        public Builder storm(long broadcast, long multicast, long unknownUnicast, long burst) {
            if (broadcast < 0 || multicast < 0 || unknownUnicast < 0 || burst < 1 || broadcast > MAX_STORM
                    || multicast > MAX_STORM || unknownUnicast > MAX_STORM || burst > MAX_STORM) {
                throw new IllegalArgumentException("storm-control rates are 0 (none) to " + MAX_STORM
                        + " frames per second, burst 1 to " + MAX_STORM);
            }
            stormBroadcast = broadcast;
            stormMulticast = multicast;
            stormUnknownUnicast = unknownUnicast;
            stormBurst = burst;
            return this;
        }

        public PortPolicy build() {
            return new PortPolicy(this);
        }
    }
}

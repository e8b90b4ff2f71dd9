package io.switchd.fdb;

/** Packs a (VLAN, MAC) pair into the one long that keys the MAC table: VLAN << 48 | MAC. */
public final class FdbKey {
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private FdbKey() {}

    /** The key of {@code mac} in {@code vlan}. */
    public static long of(int vlan, long mac) {
        return ((long) vlan << 48) | (mac & MAC_MASK);
    }

    /** The VLAN of a key. */
    public static int vlan(long key) {
        return (int) (key >>> 48);
    }

    /** The MAC of a key. */
    public static long mac(long key) {
        return key & MAC_MASK;
    }
}

package io.switchd.vhost;

import java.util.ArrayList;
import java.util.List;

/**
 * The virtio-net and vhost-user feature bits switchd knows by name (virtio 1.1 §5.1.3 and §6,
 * vhost-user's VHOST_USER_F_PROTOCOL_FEATURES), and their lower-case names for listings such as
 * {@code port list -j}'s "features".
 */
public final class VirtioFeatures {
    /** VIRTIO_NET_F_CSUM: the device takes frames with a partial checksum. */
    public static final int CSUM = 0;
    /** VIRTIO_NET_F_GUEST_CSUM: the driver takes frames with a partial checksum. */
    public static final int GUEST_CSUM = 1;
    /** VIRTIO_NET_F_GUEST_TSO4: the driver takes TCPv4 super-frames. */
    public static final int GUEST_TSO4 = 7;
    /** VIRTIO_NET_F_GUEST_TSO6: the driver takes TCPv6 super-frames. */
    public static final int GUEST_TSO6 = 8;
    /** VIRTIO_NET_F_GUEST_ECN: the driver takes super-frames with ECN. */
    public static final int GUEST_ECN = 9;
    /** VIRTIO_NET_F_HOST_TSO4: the device takes TCPv4 super-frames. */
    public static final int HOST_TSO4 = 11;
    /** VIRTIO_NET_F_HOST_TSO6: the device takes TCPv6 super-frames. */
    public static final int HOST_TSO6 = 12;
    /** VIRTIO_NET_F_HOST_ECN: the device takes super-frames with ECN. */
    public static final int HOST_ECN = 13;
    /** VIRTIO_NET_F_MRG_RXBUF: a received frame may span several buffers. */
    public static final int MRG_RXBUF = 15;
    /** VIRTIO_RING_F_INDIRECT_DESC: descriptors may point at tables of descriptors. */
    public static final int INDIRECT_DESC = 28;
    /** VIRTIO_RING_F_EVENT_IDX: notifications are suppressed by event indexes. */
    public static final int EVENT_IDX = 29;
    /** VHOST_USER_F_PROTOCOL_FEATURES: the vhost-user protocol features are negotiated (rings start disabled). */
    public static final int PROTOCOL_FEATURES = 30;
    /** VIRTIO_F_VERSION_1: virtio 1.0 or later (little-endian, 12-byte net header). */
    public static final int VERSION_1 = 32;

    private static final String[] NAMES = new String[64];

    static {
        NAMES[CSUM] = "csum";
        NAMES[GUEST_CSUM] = "guest_csum";
        NAMES[GUEST_TSO4] = "guest_tso4";
        NAMES[GUEST_TSO6] = "guest_tso6";
        NAMES[GUEST_ECN] = "guest_ecn";
        NAMES[HOST_TSO4] = "host_tso4";
        NAMES[HOST_TSO6] = "host_tso6";
        NAMES[HOST_ECN] = "host_ecn";
        NAMES[MRG_RXBUF] = "mrg_rxbuf";
        NAMES[INDIRECT_DESC] = "indirect_desc";
        NAMES[EVENT_IDX] = "event_idx";
        NAMES[PROTOCOL_FEATURES] = "protocol_features";
        NAMES[VERSION_1] = "version_1";
    }

    private VirtioFeatures() {}

    /** The mask with the given bits set. */
    public static long mask(int... bits) {
        long m = 0;
        for (int b : bits) {
            m |= 1L << b;
        }
        return m;
    }

    /** Whether {@code bit} is set in {@code features}. */
    public static boolean has(long features, int bit) {
        return (features & (1L << bit)) != 0;
    }

    /** The names of the set bits, lowest first; a bit without a name is listed as {@code bit_N}. */
    public static List<String> names(long features) {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            if (has(features, b)) {
                out.add(NAMES[b] != null ? NAMES[b] : "bit_" + b);
            }
        }
        return out;
    }
}

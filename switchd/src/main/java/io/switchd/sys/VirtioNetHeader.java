package io.switchd.sys;

/**
 * The 10-byte {@code struct virtio_net_hdr} that TAP (IFF_VNET_HDR) and packet sockets
 * (PACKET_VNET_HDR) put before every frame; it carries checksum and segmentation offload state,
 * so TSO super-frames and partial checksums cross the switch unchanged.
 *
 * <pre>
 *  0        1        2                 4                 6                 8                10
 *  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *  | flags  |gso_type|     hdr_len     |    gso_size     |   csum_start    |   csum_offset   |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * </pre>
 * All 16-bit fields are in host (little-endian) order.
 */
public final class VirtioNetHeader {
    /** The header's size in bytes; every port uses it. */
    public static final int SIZE = 10;
    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;
    /** flags: the checksum from csum_start is left to be completed. */
    public static final int F_NEEDS_CSUM = 1;
    /** gso_type: not a super-frame. */
    public static final int GSO_NONE = 0;

    private VirtioNetHeader() {}
}

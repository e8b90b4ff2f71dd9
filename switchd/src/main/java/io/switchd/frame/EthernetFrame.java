package io.switchd.frame;

import io.netty.buffer.ByteBuf;

/**
 * Offsets and readers for an Ethernet II header, optionally with one 802.1Q tag, read in place
 * from a buffer. Static methods over (buffer, offset) so the data path allocates nothing.
 *
 * <pre>
 *  0                   6                  12        14        16        18
 *  +-------------------+-------------------+---------+---------+---------+
 *  |  destination MAC  |    source MAC     |  TPID   |   TCI   |EtherType|   tagged
 *  +-------------------+-------------------+---------+---------+---------+
 *  |  destination MAC  |    source MAC     |EtherType|                       untagged
 *  +-------------------+-------------------+---------+
 * </pre>
 */
public final class EthernetFrame {
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    public static final int TCI_OFFSET = 14;
    /** An untagged header's length; anything shorter is a runt. */
    public static final int HEADER_LENGTH = 14;
    /** What one 802.1Q tag adds. */
    public static final int TAG_LENGTH = 4;
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;
    public static final int VID_MASK = 0xFFF;

    private EthernetFrame() {}

    /** The destination address of the frame at {@code offset}. */
    public static long destination(ByteBuf buf, int offset) {
        return mac(buf, offset + DESTINATION_OFFSET);
    }

    /** The source address of the frame at {@code offset}. */
    public static long source(ByteBuf buf, int offset) {
        return mac(buf, offset + SOURCE_OFFSET);
    }

    /** The EtherType or TPID right after the addresses. */
    public static int type(ByteBuf buf, int offset) {
        return buf.getUnsignedShort(offset + TYPE_OFFSET);
    }

    /** Whether a TPID marks an 802.1Q or 802.1ad tag. */
    public static boolean isTag(int type) {
        return type == TPID_8021Q || type == TPID_8021AD;
    }

    /** The VLAN id of a tagged frame. */
    public static int vid(ByteBuf buf, int offset) {
        return buf.getUnsignedShort(offset + TCI_OFFSET) & VID_MASK;
    }

    private static long mac(ByteBuf buf, int at) {
        return ((long) buf.getUnsignedShort(at) << 32) | buf.getUnsignedInt(at + 2);
    }
}

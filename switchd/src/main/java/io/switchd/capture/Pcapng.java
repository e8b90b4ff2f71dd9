package io.switchd.capture;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes pcapng blocks (little-endian), the format tcpdump, tshark and Wireshark read: a section
 * header, an interface description per captured port, an enhanced packet per frame.
 *
 * <pre>
 *  every block: [type 4][total length 4][body ... padded to 4][total length 4]
 *  EPB body:    [interface id 4][ts high 4][ts low 4][captured 4][original 4][frame, padded][options]
 *  options:     [code 2][length 2][value, padded to 4] ... [0 0 0 0]
 * </pre>
 */
public final class Pcapng {
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 0x00000001;
    private static final int EPB = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int OPT_END = 0;
    private static final int IF_NAME = 2;
    private static final int IF_TSRESOL = 9;
    private static final int EPB_FLAGS = 2;
    /** An EPB's fixed part plus its flags option and the end of options: what a frame adds to its bytes. */
    public static final int EPB_OVERHEAD = 28 + 8 + 4 + 4;

    private Pcapng() {}

    /** A section header block: version 1.0, length unknown (a stream). */
    public static void sectionHeader(ByteBuf out) {
        out.writeIntLE(SHB).writeIntLE(28).writeIntLE(BYTE_ORDER_MAGIC).writeShortLE(1).writeShortLE(0)
                .writeLongLE(-1L).writeIntLE(28);
    }

    /** An interface description block for port {@code name}: Ethernet, nanosecond timestamps. */
    public static void interfaceDescription(ByteBuf out, String name, int snaplen) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int length = 20 + 4 + pad(n.length) + 4 + 4 + 4;
        out.writeIntLE(IDB).writeIntLE(length).writeShortLE(LINKTYPE_ETHERNET).writeShortLE(0).writeIntLE(snaplen);
        option(out, IF_NAME, n);
        out.writeShortLE(IF_TSRESOL).writeShortLE(1).writeByte(9).writeZero(3);
        out.writeShortLE(OPT_END).writeShortLE(0);
        out.writeIntLE(length);
    }

    /**
     * An enhanced packet block: {@code captured} bytes at {@code from} of a frame of {@code original}
     * bytes, on interface {@code interfaceId}, at {@code epochNanos}, in {@code direction} (1 in, 2 out).
     */
    public static void enhancedPacket(ByteBuf out, int interfaceId, long epochNanos, int direction, int original,
                                      ByteBuf frame, int from, int captured) {
        int length = EPB_OVERHEAD + pad(captured);
        out.writeIntLE(EPB).writeIntLE(length).writeIntLE(interfaceId)
                .writeIntLE((int) (epochNanos >>> 32)).writeIntLE((int) epochNanos)
                .writeIntLE(captured).writeIntLE(original);
        out.writeBytes(frame, from, captured).writeZero(pad(captured) - captured);
        out.writeShortLE(EPB_FLAGS).writeShortLE(4).writeIntLE(direction);
        out.writeShortLE(OPT_END).writeShortLE(0);
        out.writeIntLE(length);
    }

    private static void option(ByteBuf out, int code, byte[] value) {
        out.writeShortLE(code).writeShortLE(value.length).writeBytes(value).writeZero(pad(value.length) - value.length);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }
}

package io.switchd.frame;

import io.netty.buffer.ByteBuf;

/** RFC 1071's Internet checksum over bytes of a buffer, for what switchd completes in software. */
final class InternetChecksum {
    private InternetChecksum() {}

    /** The 16-bit ones' complement sum of {@code length} bytes at {@code at}, not folded; an odd last byte is padded with a zero. */
    static long sum(ByteBuf buf, int at, int length) {
        long sum = 0;
        int i = at;
        int end = at + length;
        // 32-bit big-endian words: their halves fold into the same 16-bit ones' complement sum
        for (; i + 4 <= end; i += 4) {
            sum += buf.getUnsignedInt(i);
        }
        if (i + 2 <= end) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            sum += buf.getUnsignedByte(i) << 8;
        }
        return sum;
    }

    /** The checksum of a sum: folded to 16 bits and complemented. */
    static int complement(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }
}

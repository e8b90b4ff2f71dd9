package io.switchd.testing;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/** Builds and reads the Ethernet frames the tests send: a local experimental EtherType and a token. */
public final class Frames {
    /** IEEE 802 local experimental EtherType 1: no host stack answers it. */
    public static final int TEST_TYPE = 0x88B5;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private Frames() {}

    /** A fresh token that marks one test frame. */
    public static long token() {
        return ThreadLocalRandom.current().nextLong() | 1;
    }

    /** An untagged test frame of at least 60 bytes carrying {@code token}. */
    public static byte[] frame(long dst, long src, long token) {
        return frame(dst, src, token, 60);
    }

    /** An untagged test frame of {@code length} bytes carrying {@code token}. */
    public static byte[] frame(long dst, long src, long token, int length) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(length, 22));
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) TEST_TYPE);
        b.putLong(token);
        return b.array();
    }

    /** A test frame with one 802.1Q tag carrying {@code vid}. */
    public static byte[] tagged(long dst, long src, int vid, long token) {
        return tagged(dst, src, vid, token, 64);
    }

    /** A test frame of {@code length} bytes with one 802.1Q tag carrying {@code vid}. */
    public static byte[] tagged(long dst, long src, int vid, long token, int length) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(length, 26));
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) 0x8100);
        b.putShort((short) vid);
        b.putShort((short) TEST_TYPE);
        b.putLong(token);
        return b.array();
    }

    /** The token of a test frame, tagged or not, or 0 when the frame is not one. */
    public static long tokenOf(byte[] f) {
        int at = vlanOf(f) >= 0 ? 16 : 12;
        if (f.length < at + 10) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(f);
        if ((b.getShort(at) & 0xFFFF) != TEST_TYPE) {
            return 0;
        }
        return b.getLong(at + 2);
    }

    /** The VLAN id of a tagged frame, or -1 for an untagged one. */
    public static int vlanOf(byte[] f) {
        if (f.length < 18 || (((f[12] & 0xFF) << 8) | (f[13] & 0xFF)) != 0x8100) {
            return -1;
        }
        return (((f[14] & 0xFF) << 8) | (f[15] & 0xFF)) & 0xFFF;
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32));
        b.putInt((int) mac);
    }
}

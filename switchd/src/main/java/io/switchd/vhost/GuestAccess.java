package io.switchd.vhost;

import io.netty.util.internal.PlatformDependent;

/**
 * Plain little-endian loads and stores at host addresses inside guest memory (virtio 1.x rings are
 * little-endian whatever the CPU). Ordering against the other side is the caller's job: it puts a
 * {@link java.lang.invoke.VarHandle} fence where the ring protocol needs one. Every value the guest
 * can change is loaded once into a local and checked there, never loaded again.
 */
final class GuestAccess {
    private static final boolean SWAP = PlatformDependent.BIG_ENDIAN_NATIVE_ORDER;

    private GuestAccess() {}

    static int u16(long address) {
        short v = PlatformDependent.getShort(address);
        return (SWAP ? Short.reverseBytes(v) : v) & 0xFFFF;
    }

    static int i32(long address) {
        int v = PlatformDependent.getInt(address);
        return SWAP ? Integer.reverseBytes(v) : v;
    }

    static long i64(long address) {
        long v = PlatformDependent.getLong(address);
        return SWAP ? Long.reverseBytes(v) : v;
    }

    static void putU16(long address, int value) {
        short v = (short) value;
        PlatformDependent.putShort(address, SWAP ? Short.reverseBytes(v) : v);
    }

    static void putI32(long address, int value) {
        PlatformDependent.putInt(address, SWAP ? Integer.reverseBytes(value) : value);
    }

    static void putByte(long address, int value) {
        PlatformDependent.putByte(address, (byte) value);
    }

    static void copy(long from, long to, long length) {
        PlatformDependent.copyMemory(from, to, length);
    }
}

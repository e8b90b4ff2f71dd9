package io.switchd.frame;

import io.netty.buffer.ByteBuf;

/**
 * Which conversation an IP frame belongs to, as far as the order of its frames matters: its
 * protocol and its two addresses (a ping and a TCP stream between the same two hosts are two
 * conversations; two TCP streams between them are one, which is coarser than a 5-tuple but never
 * puts two frames of one stream in different conversations, fragments included). Frames whose
 * conversation cannot be told (not IP, a tag still inline, cut short) have {@link #NONE}, and a
 * caller must keep them in order with everything.
 *
 * <pre>
 *  IPv4 at eth + 14:  ver/ihl(1) tos(1) len(2) id(2) frag(2) ttl(1) proto(1) sum(2) src(4) dst(4)
 *  IPv6 at eth + 14:  ver/tc/flow(4) len(2) next(1) hop(1) src(16) dst(16)
 * </pre>
 */
public final class FlowKey {
    /** No conversation could be told. */
    public static final long NONE = 0;
    private static final int IPV4 = 0x0800;
    private static final int IPV6 = 0x86DD;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;

    private FlowKey() {}

    /**
     * The conversation of the Ethernet frame at {@code eth}, {@code length} bytes of it readable,
     * in VLAN {@code vid} (0 when untagged): a key never {@link #NONE} for IPv4 and IPv6.
     */
    public static long of(ByteBuf buf, int eth, int length, int vid) {
        if (length < EthernetFrame.HEADER_LENGTH) {
            return NONE;
        }
        int type = EthernetFrame.type(buf, eth);
        int ip = eth + EthernetFrame.HEADER_LENGTH;
        long h;
        if (type == IPV4 && length >= EthernetFrame.HEADER_LENGTH + IPV4_HEADER && (buf.getByte(ip) & 0xF0) == 0x40) {
            h = mix(buf.getUnsignedByte(ip + 9) | (long) vid << 8 | 4L << 20, buf.getUnsignedInt(ip + 12) << 32 | buf.getUnsignedInt(ip + 16));
        } else if (type == IPV6 && length >= EthernetFrame.HEADER_LENGTH + IPV6_HEADER && (buf.getByte(ip) & 0xF0) == 0x60) {
            h = mix(buf.getUnsignedByte(ip + 6) | (long) vid << 8 | 6L << 20, buf.getLong(ip + 8));
            h = mix(h, buf.getLong(ip + 16));
            h = mix(h, buf.getLong(ip + 24));
            h = mix(h, buf.getLong(ip + 32));
        } else {
            return NONE;
        }
        return h == NONE ? 1 : h;
    }

    private static long mix(long a, long b) {
        long h = (a ^ 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L ^ b;
        h = (h ^ (h >>> 31)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 29);
    }
}

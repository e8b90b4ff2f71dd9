package io.switchd.frame;

import io.netty.buffer.ByteBuf;
import io.switchd.sys.VirtioNetHeader;

/**
 * Cuts a TCP super-frame (virtio-net GSO_TCPV4 or GSO_TCPV6: one frame of up to 64 KB that the
 * sender left to be segmented) into the segments its receiver would have got from a NIC, for an
 * egress that cannot take super-frames: what the kernel's software GSO does. Each segment gets its
 * own IP length (and IPv4 id and header checksum), sequence number, flags and full TCP checksum,
 * and goes out with an empty virtio-net header. The headers are parsed here, not taken from
 * hdr_len, which an untrusted sender writes. On the loop; allocates nothing (the segments are
 * built in a scratch buffer the caller owns).
 *
 * <pre>
 *  super-frame:  [vnet hdr][eth (+802.1Q)][IPv4 or IPv6][TCP][payload ..................]
 *  segment i:    [zeroes  ][eth (+802.1Q)][IP, len/id/csum][TCP, seq + i*mss, csum][payload i]
 * </pre>
 */
public final class TcpSegmenter {
    /** Where the segments of one super-frame go, one at a time. */
    public interface Sink {
        /** Takes one segment: {@code length} bytes at {@code offset} of {@code buf}, virtio-net header first. */
        void segment(ByteBuf buf, int offset, int length);
    }

    /** What {@link #segment} returns when the frame is not a TCP super-frame it can cut (dropped). */
    public static final int MALFORMED = -1;

    private static final int ETH = 14;
    private static final int TPID_8021Q = 0x8100;
    private static final int IPV4 = 0x0800;
    private static final int IPV6 = 0x86DD;
    private static final int TCP = 6;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;

    private TcpSegmenter() {}

    /**
     * Segments the super-frame at {@code offset} ({@code length} bytes, virtio-net header first)
     * into {@code scratch} (at least the headers plus gso_size plus the virtio-net header long),
     * handing each segment to {@code sink}; returns how many, or {@link #MALFORMED}.
     */
    public static int segment(ByteBuf buf, int offset, int length, ByteBuf scratch, Sink sink) {
        int frame = offset + VirtioNetHeader.SIZE;
        int end = offset + length;
        int mss = buf.getUnsignedShortLE(offset + VirtioNetHeader.GSO_SIZE_OFFSET);
        if (mss == 0 || end - frame < ETH) {
            return MALFORMED;
        }
        int l3 = frame + ETH;
        int type = buf.getUnsignedShort(frame + 12);
        if (type == TPID_8021Q) {
            l3 += 4;
            if (l3 > end) {
                return MALFORMED;
            }
            type = buf.getUnsignedShort(frame + 16);
        }
        boolean v4;
        int l4;
        if (type == IPV4 && l3 + 20 <= end && (buf.getUnsignedByte(l3) >> 4) == 4) {
            v4 = true;
            l4 = l3 + (buf.getUnsignedByte(l3) & 0x0F) * 4;
            if (l4 < l3 + 20 || buf.getUnsignedByte(l3 + 9) != TCP) {
                return MALFORMED;
            }
        } else if (type == IPV6 && l3 + 40 <= end && (buf.getUnsignedByte(l3) >> 4) == 6) {
            v4 = false;
            l4 = l3 + 40;
            if (buf.getUnsignedByte(l3 + 6) != TCP) {
                return MALFORMED; // extension headers: not cut here
            }
        } else {
            return MALFORMED;
        }
        if (l4 + 20 > end) {
            return MALFORMED;
        }
        int payload = l4 + (buf.getUnsignedByte(l4 + 12) >> 4) * 4;
        if (payload < l4 + 20 || payload > end) {
            return MALFORMED;
        }
        int headers = payload - frame;
        if (VirtioNetHeader.SIZE + headers + mss > scratch.capacity()) {
            return MALFORMED;
        }
        long seq = buf.getUnsignedInt(l4 + 4);
        int flags = buf.getUnsignedByte(l4 + 13);
        int id = v4 ? buf.getUnsignedShort(l3 + 4) : 0;
        int sl3 = VirtioNetHeader.SIZE + (l3 - frame);
        int sl4 = VirtioNetHeader.SIZE + (l4 - frame);
        int count = 0;
        // at least one segment (a super-frame of headers only is one); the last one ends the loop
        for (int at = payload; ; at += mss) {
            int n = Math.min(mss, end - at);
            boolean first = at == payload;
            boolean last = at + n >= end;
            scratch.setZero(0, VirtioNetHeader.SIZE);
            scratch.setBytes(VirtioNetHeader.SIZE, buf, frame, headers);
            scratch.setBytes(VirtioNetHeader.SIZE + headers, buf, at, n);
            int tcpLength = (payload - l4) + n;
            if (v4) {
                scratch.setShort(sl3 + 2, (l4 - l3) + tcpLength);
                scratch.setShort(sl3 + 4, id + count);
                scratch.setShort(sl3 + 10, 0);
                scratch.setShort(sl3 + 10, checksum(scratch, sl3, l4 - l3, 0));
            } else {
                scratch.setShort(sl3 + 4, tcpLength);
            }
            scratch.setInt(sl4 + 4, (int) (seq + (long) (at - payload)));
            int f = flags;
            if (!last) {
                f &= ~(FIN | PSH);
            }
            if (!first) {
                f &= ~CWR;
            }
            scratch.setByte(sl4 + 13, f);
            scratch.setShort(sl4 + 16, 0);
            long pseudo = v4 ? InternetChecksum.sum(scratch, sl3 + 12, 8) : InternetChecksum.sum(scratch, sl3 + 8, 32);
            pseudo += TCP + tcpLength;
            scratch.setShort(sl4 + 16, checksum(scratch, sl4, tcpLength, pseudo));
            sink.segment(scratch, 0, VirtioNetHeader.SIZE + headers + n);
            count++;
            if (last) {
                break;
            }
        }
        return count;
    }

    /** The Internet checksum of {@code length} bytes at {@code at}, with {@code seed} added. */
    private static int checksum(ByteBuf buf, int at, int length, long seed) {
        return InternetChecksum.complement(seed + InternetChecksum.sum(buf, at, length));
    }
}

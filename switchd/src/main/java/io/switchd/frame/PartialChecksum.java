package io.switchd.frame;

import io.netty.buffer.ByteBuf;
import io.switchd.sys.VirtioNetHeader;

/**
 * Completes a checksum its sender left to the receiver (virtio-net's NEEDS_CSUM, the kernel's
 * CHECKSUM_PARTIAL), for an egress that cannot take such a frame: the field at csum_start +
 * csum_offset already holds the pseudo-header's sum, so the Internet checksum of everything from
 * csum_start to the end of the frame, field included, is the one to store there. What the
 * kernel's skb_checksum_help does, on the loop, allocating nothing.
 */
public final class PartialChecksum {
    private PartialChecksum() {}

    /**
     * Completes the checksum of the frame behind the virtio-net header at {@code offset}
     * ({@code length} bytes, header included) in place and clears NEEDS_CSUM; false, with nothing
     * changed, when csum_start and csum_offset point outside the frame (an untrusted sender's).
     */
    public static boolean complete(ByteBuf buf, int offset, int length) {
        int frame = offset + VirtioNetHeader.SIZE;
        int frameLength = length - VirtioNetHeader.SIZE;
        int start = buf.getUnsignedShortLE(offset + VirtioNetHeader.CSUM_START_OFFSET);
        int field = start + buf.getUnsignedShortLE(offset + VirtioNetHeader.CSUM_OFFSET_OFFSET);
        if (start >= frameLength || field + 2 > frameLength) {
            return false;
        }
        int checksum = InternetChecksum.complement(InternetChecksum.sum(buf, frame + start, frameLength - start));
        // as the kernel does: 0 is sent as 0xFFFF, which UDP reads as "no checksum" otherwise
        buf.setShort(frame + field, checksum == 0 ? 0xFFFF : checksum);
        buf.setByte(offset + VirtioNetHeader.FLAGS_OFFSET,
                buf.getByte(offset + VirtioNetHeader.FLAGS_OFFSET) & ~VirtioNetHeader.F_NEEDS_CSUM);
        return true;
    }
}

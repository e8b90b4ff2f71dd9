package io.switchd.dataplane;

import io.netty.buffer.ByteBuf;
import io.switchd.frame.EthernetFrame;
import io.switchd.sys.VirtioNetHeader;

/**
 * The frame being forwarded, as it sits in the loop's buffer, and the two edits egress ports ask
 * for: with an 802.1Q tag or without. Adding a tag moves the virtio-net header and the addresses
 * 4 bytes towards the buffer's start (the ports leave that headroom); removing one moves them back.
 * One per loop, reused for every frame: nothing is allocated.
 *
 * <pre>
 *  untagged:      [vnet 10][dst 6][src 6][type 2][payload...]
 *  tagged:  [vnet 10][dst 6][src 6][TPID 2][TCI 2][type 2][payload...]
 * </pre>
 */
public final class FrameForm {
    private static final int MOVED = VirtioNetHeader.SIZE + 12;
    private ByteBuf buf;
    private int offset;
    private int length;
    private boolean tagged;
    private int tci;
    /** The TPID a tag added back gets: the frame's own (802.1Q or 802.1ad), 802.1Q if it came untagged. */
    private int tpid;

    /** Takes the frame at {@code offset} (virtio-net header first), {@code length} bytes, tagged or not. */
    public void reset(ByteBuf buf, int offset, int length, boolean tagged, int tci) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.tagged = tagged;
        this.tci = tci;
        this.tpid = tagged ? buf.getUnsignedShort(offset + VirtioNetHeader.SIZE + EthernetFrame.TYPE_OFFSET)
                : EthernetFrame.TPID_8021Q;
    }

    /**
     * Makes the frame carry a tag with {@code newTci}, adding one if it has none: with the frame's
     * own TPID, so a frame flooded to untagged and tagged ports leaves each tagged one alike.
     */
    public void tagged(int newTci) {
        tagged(tpid, newTci);
    }

    /** Makes the frame carry a tag with {@code newTci}; a tag it did not have gets {@code tpid}. */
    public void tagged(int tpid, int newTci) {
        if (!tagged) {
            move(offset, offset - EthernetFrame.TAG_LENGTH);
            offset -= EthernetFrame.TAG_LENGTH;
            length += EthernetFrame.TAG_LENGTH;
            buf.setShort(offset + VirtioNetHeader.SIZE + EthernetFrame.TYPE_OFFSET, tpid);
            adjustOffloads(EthernetFrame.TAG_LENGTH);
            tagged = true;
            tci = -1;
        }
        if (tci != newTci) {
            buf.setShort(offset + VirtioNetHeader.SIZE + EthernetFrame.TCI_OFFSET, newTci);
            tci = newTci;
        }
    }

    /** Makes the frame untagged, taking its tag off if it has one. */
    public void untagged() {
        if (tagged) {
            move(offset, offset + EthernetFrame.TAG_LENGTH);
            offset += EthernetFrame.TAG_LENGTH;
            length -= EthernetFrame.TAG_LENGTH;
            adjustOffloads(-EthernetFrame.TAG_LENGTH);
            tagged = false;
        }
    }

    /** The buffer the frame is in. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Where the frame (its virtio-net header) starts now. */
    public int offset() {
        return offset;
    }

    /** Its length now, virtio-net header included. */
    public int length() {
        return length;
    }

    private void move(int from, int to) {
        if (to < from) {
            for (int i = 0; i < MOVED; i++) {
                buf.setByte(to + i, buf.getByte(from + i));
            }
        } else {
            for (int i = MOVED - 1; i >= 0; i--) {
                buf.setByte(to + i, buf.getByte(from + i));
            }
        }
    }

    /** Checksum start and header length count from the frame's start, so a tag shifts them. */
    private void adjustOffloads(int delta) {
        if ((buf.getByte(offset + VirtioNetHeader.FLAGS_OFFSET) & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
            int at = offset + VirtioNetHeader.CSUM_START_OFFSET;
            buf.setShortLE(at, buf.getUnsignedShortLE(at) + delta);
        }
        int at = offset + VirtioNetHeader.HDR_LEN_OFFSET;
        int h = buf.getUnsignedShortLE(at);
        if (h != 0) {
            buf.setShortLE(at, h + delta);
        }
    }
}

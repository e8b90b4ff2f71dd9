package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.LibC;
import io.switchd.sys.PacketSockets;

/**
 * The frames one forwarding loop reads off a packet socket's queue with one recvmmsg: those too
 * big for their ring slots. Each gets its own stretch of the loop's buffer, as long as its ring
 * slot says the frame is, with a tag's headroom before it, so every frame of a batch stays whole
 * until the bridge has forwarded it; each gets its own aux data (the VLAN tag the kernel took off).
 * The headers are set up once: nothing is allocated per batch. Only its loop's thread touches it.
 *
 * <pre>
 *  loop's buffer: [headroom][frame 0 ...]  [headroom][frame 1 ...]  ...   each stretch at a 64-byte boundary
 *  messages:      [mmsghdr 0 ... N-1][iovec 0 ... N-1][control 0 ... N-1]   mmsghdr i -> iovec i, control i
 * </pre>
 */
public final class CopyBatch {
    /** Frames one batch holds at most. */
    static final int MAX_FRAMES = 32;
    private static final int ALIGN = 64;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    // struct mmsghdr {struct msghdr (56 bytes, LP64); unsigned int msg_len;} padded to 64, struct iovec 16
    private static final int MMSGHDR = 64;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    // a control buffer: struct cmsghdr (16 bytes), then struct tpacket_auxdata (20)
    private static final int CONTROL = 48;
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int AUX = 16;
    private static final int AUX_STATUS = AUX;
    private static final int AUX_VLAN_TCI = AUX + 16;
    private static final int AUX_VLAN_TPID = AUX + 18;
    private static final int AUX_END = AUX + 20;
    private static final int IOVECS_AT = MMSGHDR * MAX_FRAMES;
    private static final int CONTROLS_AT = IOVECS_AT + IOVEC * MAX_FRAMES;

    private final ByteBuf messages = Unpooled.directBuffer(CONTROLS_AT + CONTROL * MAX_FRAMES);
    private final long messagesAddress = messages.memoryAddress();
    private final long bufferAddress;
    private final int bufferSize;
    private final int[] offsetOf = new int[MAX_FRAMES];
    private int frames;
    private int used;

    /** An empty batch whose frames are read into {@code buffer}, the loop's. */
    public CopyBatch(ByteBuf buffer) {
        bufferAddress = buffer.memoryAddress();
        bufferSize = buffer.capacity();
        messages.setZero(0, messages.capacity());
        for (int i = 0; i < MAX_FRAMES; i++) {
            messages.setLongLE(i * MMSGHDR + MSG_IOV, messagesAddress + iovec(i));
            messages.setLongLE(i * MMSGHDR + MSG_IOVLEN, 1);
            messages.setLongLE(i * MMSGHDR + MSG_CONTROL, messagesAddress + control(i));
        }
    }

    /** Empties the batch. */
    void clear() {
        frames = 0;
        used = 0;
    }

    /** How many frames the batch has room for. */
    int size() {
        return frames;
    }

    /**
     * Makes room for the next frame on the socket, {@code length} bytes with its virtio-net header;
     * false when the batch is full. The first frame is always taken, however long: it is read as
     * a read of it alone would.
     */
    boolean add(int length) {
        int at = used + FdPort.HEADROOM;
        if (frames == MAX_FRAMES || (frames > 0 && at + length > bufferSize)) {
            return false;
        }
        offsetOf[frames] = at;
        messages.setLongLE(iovec(frames), bufferAddress + at);
        messages.setLongLE(iovec(frames) + 8, Math.min(length, bufferSize - at));
        frames++;
        used = (at + length + ALIGN - 1) & -ALIGN;
        return true;
    }

    /**
     * Reads frames {@code from} and on into their room, with one recvmmsg on {@code fd} that does
     * not wait: how many came, or -1 with errno set. The last frame may take the rest of the
     * buffer: a frame longer than its slot said is then still read whole.
     */
    int read(int fd, int from) {
        for (int i = from; i < frames; i++) {
            messages.setLongLE(i * MMSGHDR + MSG_CONTROLLEN, CONTROL);
            messages.setIntLE(i * MMSGHDR + MSG_FLAGS, 0);
        }
        int last = frames - 1;
        messages.setLongLE(iovec(last) + 8, bufferSize - offsetOf[last]);
        return LibC.recvmmsg(fd, messagesAddress + (long) from * MMSGHDR, frames - from, MSG_DONTWAIT, 0L);
    }

    /** Where frame {@code i} (its virtio-net header) starts in the loop's buffer. */
    int offset(int i) {
        return offsetOf[i];
    }

    /** How many bytes of frame {@code i} were read, virtio-net header included. */
    int length(int i) {
        return messages.getIntLE(i * MMSGHDR + MSG_LEN);
    }

    /** Whether frame {@code i} was longer than its room and was cut short. */
    boolean truncated(int i) {
        return (messages.getIntLE(i * MMSGHDR + MSG_FLAGS) & MSG_TRUNC) != 0;
    }

    /** The aux data's status of frame {@code i} (the ring's TP_STATUS bits), 0 when it has none. */
    int status(int i) {
        int c = control(i);
        if (messages.getLongLE(i * MMSGHDR + MSG_CONTROLLEN) < AUX_END
                || messages.getIntLE(c + CMSG_LEVEL) != PacketSockets.SOL_PACKET
                || messages.getIntLE(c + CMSG_TYPE) != PacketSockets.PACKET_AUXDATA) {
            return 0;
        }
        return messages.getIntLE(c + AUX_STATUS);
    }

    /** The VLAN tag the kernel took off frame {@code i}, valid when its status says so. */
    int vlanTci(int i) {
        return messages.getUnsignedShortLE(control(i) + AUX_VLAN_TCI);
    }

    /** The TPID of that tag, valid when the status says so. */
    int vlanTpid(int i) {
        return messages.getUnsignedShortLE(control(i) + AUX_VLAN_TPID);
    }

    private static int iovec(int i) {
        return IOVECS_AT + i * IOVEC;
    }

    private static int control(int i) {
        return CONTROLS_AT + i * CONTROL;
    }
}

package io.switchd.port;

import com.sun.jna.Native;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.Errno;
import io.switchd.sys.LibC;
import io.switchd.sys.VirtioNetHeader;

/**
 * The small frames one forwarding loop has decided to send out of packet-socket ports, copied
 * aside as they are decided (the bridge edits the frame in place for the next egress, so a copy
 * is taken, not a reference) and written when the loop finishes reading a port: one sendmmsg per
 * egress port instead of one write per frame. Bounded: when it is full it is written first; a
 * frame an egress refuses is dropped and counted, never kept. Only its loop's thread touches it.
 *
 * <pre>
 *  staging:  [frame 0][frame 1]...        each at a 64-byte boundary, virtio-net header first
 *  messages: [mmsghdr 0 ... mmsghdr N-1][iovec 0 ... iovec N-1]   mmsghdr i -> iovec i
 * </pre>
 * Frames are grouped by egress at write time: each port's frames go in the order they came.
 */
public final class EgressBatch {
    /** The largest frame (virtio-net header included) worth queueing; bigger ones are written at once. */
    static final int MAX_FRAME = 2048;
    /** Frames held at most; a whole read budget of small frames fits. */
    private static final int MAX_FRAMES = 128;
    /** Distinct egress ports at most. */
    private static final int MAX_PORTS = 16;
    private static final int STAGING_SIZE = 128 * 1024;
    private static final int ALIGN = 64;
    // struct mmsghdr {struct msghdr (56 bytes, LP64); unsigned int msg_len;} padded to 64, struct iovec 16
    private static final int MMSGHDR = 64;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int IOVEC = 16;
    private static final int IOVECS_AT = MMSGHDR * MAX_FRAMES;
    private static final int MSG_DONTWAIT = 0x40;

    private final ByteBuf staging = Unpooled.directBuffer(STAGING_SIZE, STAGING_SIZE);
    private final long stagingAddress = staging.memoryAddress();
    private final ByteBuf messages = Unpooled.directBuffer(IOVECS_AT + IOVEC * MAX_FRAMES);
    private final long messagesAddress = messages.memoryAddress();
    private final PacketSocketPort[] ports = new PacketSocketPort[MAX_PORTS];
    private final int[] portOf = new int[MAX_FRAMES];
    private final int[] offsetOf = new int[MAX_FRAMES];
    private final int[] lengthOf = new int[MAX_FRAMES];
    private int frames;
    private int portCount;
    private int used;
    /** The shared queues this loop holds until its batch ends. */
    private final SharedEgressQueue[] held = new SharedEgressQueue[MAX_PORTS];
    private int heldCount;

    /** An empty batch. */
    public EgressBatch() {
        messages.setZero(0, messages.capacity());
        for (int i = 0; i < MAX_FRAMES; i++) {
            messages.setLongLE(i * MMSGHDR + MSG_IOV, messagesAddress + IOVECS_AT + (long) i * IOVEC);
            messages.setLongLE(i * MMSGHDR + MSG_IOVLEN, 1);
        }
    }

    /**
     * Copies the frame at {@code offset} ({@code length} bytes, virtio-net header first) into the
     * batch for {@code port}; false when it does not fit (too big, or the batch is full).
     */
    boolean add(PacketSocketPort port, ByteBuf buf, int offset, int length) {
        int at = used;
        if (length > MAX_FRAME || frames == MAX_FRAMES || at + length > STAGING_SIZE) {
            return false;
        }
        int p = 0;
        while (p < portCount && ports[p] != port) {
            p++;
        }
        if (p == portCount) {
            if (p == MAX_PORTS) {
                return false;
            }
            ports[p] = port;
            portCount++;
        }
        staging.setBytes(at, buf, offset, length);
        portOf[frames] = p;
        offsetOf[frames] = at;
        lengthOf[frames] = length;
        frames++;
        used = (at + length + ALIGN - 1) & -ALIGN;
        return true;
    }

    /**
     * Makes sure this loop holds {@code queue} until the batch ends. A loop never waits for a queue
     * while it holds another, so two loops cannot wait for each other: when the queue is taken, it
     * first gives back (and publishes) what it holds.
     */
    public void hold(SharedEgressQueue queue, int stripe) {
        for (int i = 0; i < heldCount; i++) {
            if (held[i] == queue) {
                return;
            }
        }
        if (heldCount == MAX_PORTS || !queue.tryTake()) {
            releaseHeld(stripe);
            queue.take();
        }
        held[heldCount++] = queue;
    }

    private void releaseHeld(int stripe) {
        for (int i = 0; i < heldCount; i++) {
            held[i].release(stripe);
            held[i] = null;
        }
        heldCount = 0;
    }

    /**
     * Writes every frame held, one sendmmsg per egress port, counts each on its port, empties the
     * batch, and gives back the shared queues it held.
     */
    public void flush(int stripe) {
        if (heldCount > 0) {
            releaseHeld(stripe);
        }
        if (frames == 0) {
            return;
        }
        for (int p = 0; p < portCount; p++) {
            int n = 0;
            for (int f = 0; f < frames; f++) {
                if (portOf[f] == p) {
                    int iov = IOVECS_AT + n * IOVEC;
                    messages.setLongLE(iov, stagingAddress + offsetOf[f]);
                    messages.setLongLE(iov + 8, lengthOf[f]);
                    n++;
                }
            }
            write(ports[p], n, stripe);
            ports[p] = null;
        }
        frames = 0;
        portCount = 0;
        used = 0;
    }

    /** Sends the first {@code n} messages to {@code port}; a full egress drops what is left of them. */
    private void write(PacketSocketPort port, int n, int stripe) {
        int fd = port.descriptor();
        int i = 0;
        while (i < n) {
            int sent = LibC.sendmmsg(fd, messagesAddress + (long) i * MMSGHDR, n - i, MSG_DONTWAIT);
            if (sent > 0) {
                for (int end = i + sent; i < end; i++) {
                    port.counted(Port.SENT, length(i) - VirtioNetHeader.SIZE, stripe);
                }
                continue;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS) {
                for (; i < n; i++) {
                    port.counted(Port.FULL, 0, stripe);
                }
                return;
            }
            // this frame was refused (too big, interface down): the others may still go
            port.counted(Port.FAILED, 0, stripe);
            i++;
        }
    }

    private int length(int message) {
        return (int) messages.getLongLE(IOVECS_AT + message * IOVEC + 8);
    }
}

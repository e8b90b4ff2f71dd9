package io.switchd.port;

import com.sun.jna.Native;
import io.netty.buffer.ByteBuf;
import io.switchd.config.PortType;
import io.switchd.dataplane.FrameForm;
import io.switchd.dataplane.LoopContext;
import io.switchd.frame.FlowKey;
import io.switchd.frame.EthernetFrame;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.LibC;
import io.switchd.sys.PacketRing;
import io.switchd.sys.PacketSockets;
import io.switchd.sys.SysException;
import io.switchd.sys.VirtioNetHeader;

/**
 * An existing interface attached through an AF_PACKET socket with a receive ring. The kernel
 * writes each frame into the next slot of the ring, the VLAN tag it stripped in the slot's header;
 * the port hands the frame to the bridge where it lies, the tag put back inline in the room before
 * it, and gives the slot back. No system call per frame, and one wake-up takes every frame that
 * came meanwhile.
 *
 * <p>A frame too big for a slot (over 180 bytes, a TSO super-frame) is marked COPY in its slot and
 * waits in full on the socket. Before handing a run of ready slots to the bridge, the port reads
 * the frames of all the COPY slots among them with one recvmmsg, each into its own stretch of the
 * loop's buffer ({@link CopyBatch}) with its own aux data for its tag; then it hands every frame
 * over in ring order, one at a time, from the ring or from the buffer.
 *
 * <p>Why the k-th frame on the socket is the k-th COPY slot's (net/packet/af_packet.c,
 * tpacket_rcv, TPACKET_V2): holding the receive queue's lock, the kernel takes the ring's next
 * slot and, only once it has one, queues the frame's copy and marks the slot COPY; the slot's
 * status is published after that. So copies are queued in ring order, and a slot seen marked COPY
 * has its copy queued already. Every way the kernel loses a frame keeps the two in step:
 * <ul>
 * <li>ring full (no free slot, or the next still owned): the copy is freed, never queued, and
 *     the frame has no slot either (PACKET_STATISTICS counts it);
 * <li>socket queue full (its memory at SO_RCVBUF), or the copy cannot be made: nothing is
 *     queued, and the slot is filled short without COPY, counted here as kernel-queue-full;
 * <li>the virtio-net header cannot be made: the copy is freed and the slot not handed over.
 * </ul>
 * Nothing else lands on the queue (the ring exists before bind, so every frame goes through
 * tpacket_rcv), and only this port reads it, asking for exactly as many frames as it saw COPY
 * slots. A pending socket error is returned by a read before any frame (and cleared by it), so
 * after one the read is made again, and no frame is left behind to be taken for a later slot's.
 */
public final class PacketSocketPort extends FdPort {
    /**
     * Ring slots per port: 1024 of 256 bytes, 256 KB of mapped memory that counts in switchd's
     * resident size (benchmarks/RESULTS.md weighs it). A burst of that many frames (a TAP's queue
     * holds 1000) waits while the loop forwards others; beyond it the kernel drops and the port
     * counts. Frames over a slot wait in the socket's queue (4 MB, taken only while used), each
     * still holding its place in the ring.
     */
    static final int RING_SLOTS = 8 * PacketSockets.RING_BLOCK_SLOTS;
    /** Ring frames taken per {@link #receive} call: as many as a {@link CopyBatch} holds, so one read takes their big ones. */
    private static final int BATCH = CopyBatch.MAX_FRAMES;
    private static final int EINTR = 4;
    /** The virtio-net header and both addresses: the least a frame that can carry a tag has. */
    private static final int MOVED_BYTES = VirtioNetHeader.SIZE + 12;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PacketSocketPort.class.getName());

    private final int ifindex;
    private final PacketRing ring;
    private boolean linkDownLogged;
    /** How far along the ring, from the next slot, {@link #overtake} has looked at most. */
    private static final int OVERTAKE_SCAN = 256;
    /** Slots whose frame went ahead of its turn, by slot number: released, not handed over, in turn. */
    private final boolean[] overtook = new boolean[RING_SLOTS];
    /** The conversations of the big frames looked at and not yet handed over: none of theirs may pass. */
    private final long[] bulk = new long[8];
    private int bulkCount;
    /** Slots from the next one already looked at by {@link #overtake}. */
    private int examined;
    /** Whether {@link #overtake} met a big frame nothing may pass: it looks no further until then. */
    private boolean stopped;
    /** System calls that read frames off the socket's queue, by the loop (a racy view for tests, like the counters). */
    long queueReads;
    /** Frames read off the socket's queue: those too big for their ring slot. */
    long queuedFrames;
    /** Frames handed over ahead of their turn ({@link #overtake}). */
    long overtaken;

    private PacketSocketPort(String name, PortType type, int stripes, int fd, int mtu, int ifindex, PacketRing ring) {
        super(name, type, stripes, fd, mtu);
        this.ifindex = ifindex;
        ifindex(ifindex);
        this.ring = ring;
    }

    /** Attaches to the existing interface {@code name}, setting it up; throws when it does not exist. */
    public static PacketSocketPort open(String name, int stripes) throws SysException {
        return open(name, PortType.NETDEV, stripes);
    }

    /**
     * Attaches to the existing interface {@code name} as a port of {@code type} (a vxlan port's
     * device, which its kind made), setting it up; throws when it does not exist.
     */
    public static PacketSocketPort open(String name, PortType type, int stripes) throws SysException {
        int ifindex = Interfaces.index(name);
        if (ifindex == 0) {
            throw new SysException("interface " + name + " does not exist", Errno.ENODEV);
        }
        Interfaces.setUp(name);
        int mtu = Interfaces.mtu(name);
        int fd = PacketSockets.open(ifindex, name, RING_SLOTS);
        try {
            return new PacketSocketPort(name, type, stripes, fd, mtu, ifindex, PacketRing.map(fd, RING_SLOTS, name));
        } catch (SysException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    protected String queryInterfaceName() {
        return Interfaces.name(ifindex);
    }

    @Override
    protected int receive(LoopContext ctx) {
        overtake(ctx);
        CopyBatch copies = ctx.copies();
        int n = lookAhead(copies);
        int read = copies.size() > 0 ? fetch(copies) : 0;
        int copy = 0;
        for (int i = 0; i < n; i++) {
            int slot = ring.ready();
            if ((ring.status(slot) & PacketRing.COPY) == 0) {
                if (!overtook[slot / PacketRing.SLOT_SIZE]) {
                    frame(ctx, slot);
                }
                overtook[slot / PacketRing.SLOT_SIZE] = false;
            } else {
                if (copy < read) {
                    copied(ctx, copies, copy);
                }
                copy++;
            }
            ring.release();
        }
        examined = Math.max(0, examined - n);
        if (examined == 0) {
            // every frame looked at is handed over: what held the others back is gone with them
            bulkCount = 0;
            stopped = false;
        }
        if (n > 0) {
            linkDownLogged = false;
        }
        return retired() ? BROKEN : n == 0 ? DRAINED : n;
    }

    /**
     * Hands over, ahead of their turn, the small frames further along the ring whose conversation
     * ({@link FlowKey}) has no big frame before them, once a big frame waits at the head: a ping or
     * a TCP stream's acknowledgements then wait for the frame being forwarded, not behind a TCP
     * window's worth of super-frames (a sender's whole window queues here: the kernel hands the
     * socket its frames without holding the sender back). The frames of one conversation keep
     * their order, and a frame whose conversation cannot be told passes nothing and is passed by
     * nothing of its own kind. Each slot is looked at once while it waits, so the cost is a hash per
     * frame, and none while no big frame waits.
     */
    private void overtake(LoopContext ctx) {
        int head = ring.ready();
        if (stopped || head < 0 || (examined == 0 && (ring.status(head) & PacketRing.COPY) == 0)) {
            return;
        }
        ByteBuf buf = ring.buffer();
        int slot;
        while (examined < OVERTAKE_SCAN && (slot = ring.ready(examined)) >= 0) {
            examined++;
            int status = ring.status(slot);
            int eth = slot + ring.frameOffset(slot);
            int vid = (status & PacketRing.VLAN_VALID) != 0 ? ring.vlanTci(slot) & EthernetFrame.VID_MASK : 0;
            long key = FlowKey.of(buf, eth, ring.captured(slot), vid);
            boolean big = (status & PacketRing.COPY) != 0 || ring.captured(slot) < ring.length(slot);
            if (big) {
                if (key == FlowKey.NONE || (!bulkHas(key) && bulkCount == bulk.length)) {
                    stopped = true; // nothing may pass a big frame whose conversation is not kept apart
                    return;
                }
                if (!bulkHas(key)) {
                    bulk[bulkCount++] = key;
                }
            } else if (key != FlowKey.NONE && !bulkHas(key)) {
                frame(ctx, slot);
                overtook[slot / PacketRing.SLOT_SIZE] = true;
                overtaken++;
            }
        }
    }

    private boolean bulkHas(long key) {
        for (int i = 0; i < bulkCount; i++) {
            if (bulk[i] == key) {
                return true;
            }
        }
        return false;
    }

    /**
     * How many ready slots this call takes, up to {@link #BATCH}, making room in {@code copies} for
     * the frame of each COPY slot among them; it stops short at one the batch has no room for.
     */
    private int lookAhead(CopyBatch copies) {
        copies.clear();
        int n = 0;
        int slot;
        while (n < BATCH && (slot = ring.ready(n)) >= 0 && ((ring.status(slot) & PacketRing.COPY) == 0
                || copies.add(ring.length(slot) + VirtioNetHeader.SIZE))) {
            n++;
        }
        return n;
    }

    /**
     * Reads the batch's frames off the socket, in the order of their slots (the class comment says
     * why); returns how many came. One recvmmsg, unless a pending error came first.
     */
    private int fetch(CopyBatch copies) {
        int got = 0;
        boolean again = false;
        while (got < copies.size()) {
            int r = copies.read(fd.intValue(), got);
            queueReads++;
            if (r > 0) {
                got += r;
                continue;
            }
            int errno = Native.getLastError();
            if (r == 0 || errno == Errno.EAGAIN || again) {
                break;
            }
            if (errno != EINTR) {
                socketError(errno);
            }
            if (retired()) {
                break;
            }
            again = true; // the error is taken and the frames are still queued
        }
        queuedFrames += got;
        return got;
    }

    /** Hands the frame in the ring slot at {@code slot} to the bridge, its VLAN tag put back inline. */
    private void frame(LoopContext ctx, int slot) {
        int status = ring.status(slot);
        int length = ring.captured(slot) + VirtioNetHeader.SIZE;
        if (length - VirtioNetHeader.SIZE < ring.length(slot)) {
            // too big for its slot and not queued on the socket: the queue was full
            dropOnReceive(DropReason.KERNEL_QUEUE_FULL, ring.length(slot), ctx.stripe());
            return;
        }
        forward(ctx, ring.buffer(), slot + ring.frameOffset(slot) - VirtioNetHeader.SIZE, length, status,
                ring.vlanTpid(slot), ring.vlanTci(slot));
    }

    /** Hands frame {@code i} of those read off the socket, which did not fit its ring slot, to the bridge. */
    private void copied(LoopContext ctx, CopyBatch copies, int i) {
        int length = copies.length(i);
        int stripe = ctx.stripe();
        if (length < VirtioNetHeader.SIZE) {
            dropOnReceive(DropReason.RUNT, 0, stripe);
            return;
        }
        if (copies.truncated(i)) {
            dropOnReceive(DropReason.TRUNCATED, length - VirtioNetHeader.SIZE, stripe);
            return;
        }
        forward(ctx, ctx.buffer(), copies.offset(i), length, copies.status(i), copies.vlanTpid(i), copies.vlanTci(i));
    }

    /**
     * Hands a frame to the bridge, first putting back inline the VLAN tag the kernel took off (the
     * tag's fields, ring header or aux data alike, count only where {@code status} says so).
     */
    private void forward(LoopContext ctx, ByteBuf buf, int offset, int length, int status, int tpid, int tci) {
        if ((status & PacketRing.VLAN_VALID) != 0 && length >= MOVED_BYTES) {
            FrameForm form = ctx.form();
            form.reset(buf, offset, length, false, 0);
            form.tagged((status & PacketRing.VLAN_TPID_VALID) != 0 ? tpid : EthernetFrame.TPID_8021Q, tci);
            offset = form.offset();
            length = form.length();
        }
        bridge().receive(this, buf, offset, length, ctx);
    }

    @Override
    protected boolean queue(ByteBuf buf, int offset, int length, LoopContext ctx) {
        if (oversize(buf, offset, length)) {
            // the kernel would refuse it (EMSGSIZE): say why here rather than as an egress error
            counters().increment(ctx.stripe(), PortCounters.drop(DropReason.OVERSIZE));
            return true;
        }
        EgressBatch batch = ctx.egress();
        if (batch.add(this, buf, offset, length)) {
            return true;
        }
        // full, or a frame too big to queue: what this port has queued leaves first, in order
        batch.flush(ctx.stripe());
        return batch.add(this, buf, offset, length);
    }

    /**
     * Whether the frame ({@code length} bytes from {@code offset}, virtio-net header first) carries
     * more than this port's MTU: a vxlan port's is the underlay's less the encapsulation, smaller
     * than the ports it forwards for. A segmentation-offload super-frame is longer by design (the
     * kernel cuts it to the MTU), and a tag does not count, as the kernel's packet_snd has it.
     */
    private boolean oversize(ByteBuf buf, int offset, int length) {
        int payload = length - VirtioNetHeader.SIZE - EthernetFrame.HEADER_LENGTH;
        if (payload <= mtu() || buf.getByte(offset + VirtioNetHeader.GSO_TYPE_OFFSET) != VirtioNetHeader.GSO_NONE) {
            return false;
        }
        boolean tagged = EthernetFrame.isTag(EthernetFrame.type(buf, offset + VirtioNetHeader.SIZE));
        return !tagged || payload - EthernetFrame.TAG_LENGTH > mtu();
    }

    /** The socket's descriptor, for the loop's batched writes. */
    int descriptor() {
        return fd.intValue();
    }

    @Override
    protected void errorReported() {
        // A ring is never read with a system call that would return the error, so take it here,
        // which also stops the level-triggered loop from reporting it again.
        int errno = PacketSockets.takeError(fd.intValue());
        if (errno != 0) {
            socketError(errno);
        }
    }

    private void socketError(int errno) {
        if (errno != Errno.ENETDOWN) {
            fail("packet socket: " + Errno.describe(errno)); // the socket stays silent from here on
        } else if (Interfaces.index(name()) == ifindex) {
            // Set down, not deleted: the kernel re-arms the socket when the link comes up again.
            linkDown();
        } else {
            interfaceGone(); // deleted: silent from here on
        }
    }

    @Override
    protected long kernelDrops() {
        return fd.isOpen() ? PacketSockets.takeDrops(fd.intValue()) : 0;
    }

    private void linkDown() {
        if (!linkDownLogged) {
            linkDownLogged = true;
            LOG.info(this + ": interface " + name() + " is down; frames to it are dropped until it is up");
        }
    }

    @Override
    public synchronized void closeDescriptor() {
        boolean open = fd.isOpen();
        super.closeDescriptor();
        if (open) {
            ring.close();
        }
    }
}

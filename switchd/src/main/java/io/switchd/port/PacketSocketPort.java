package io.switchd.port;

import com.sun.jna.Native;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.config.PortType;
import io.switchd.dataplane.FrameForm;
import io.switchd.dataplane.LoopContext;
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
 * <p>A frame too big for a slot (a TSO super-frame) is marked in its slot and waits in full on
 * the socket: it is read with recvmsg into the loop's buffer, its tag from PACKET_AUXDATA.
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
    /** Ring frames taken per {@link #receive} call. */
    private static final int BATCH = 32;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    private static final int EINTR = 4;
    // one struct msghdr (56 bytes, LP64), then its iovec and its control buffer
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int IOVEC_AT = 56;
    private static final int CONTROL_AT = IOVEC_AT + 16;
    private static final int CONTROL_SIZE = 48;
    private static final int MESSAGE_SIZE = CONTROL_AT + CONTROL_SIZE;
    // struct cmsghdr, then struct tpacket_auxdata
    private static final int CMSG_LEVEL = CONTROL_AT + 8;
    private static final int CMSG_TYPE = CONTROL_AT + 12;
    private static final int AUX = CONTROL_AT + 16;
    private static final int AUX_STATUS = AUX;
    private static final int AUX_VLAN_TCI = AUX + 16;
    private static final int AUX_VLAN_TPID = AUX + 18;
    private static final int AUX_SIZE = 20;
    /** The virtio-net header and both addresses: the least a frame that can carry a tag has. */
    private static final int MOVED_BYTES = VirtioNetHeader.SIZE + 12;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PacketSocketPort.class.getName());

    private final int ifindex;
    private final PacketRing ring;
    private boolean linkDownLogged;
    /** System calls that read frames off the socket's queue, by the loop (a racy view for tests, like the counters). */
    long queueReads;
    /** Frames read off the socket's queue: those too big for their ring slot. */
    long queuedFrames;
    private final ByteBuf message = Unpooled.directBuffer(MESSAGE_SIZE, MESSAGE_SIZE);
    private final long messageAddress = message.memoryAddress();

    private PacketSocketPort(String name, int stripes, int fd, int mtu, int ifindex, PacketRing ring) {
        super(name, PortType.NETDEV, stripes, fd, mtu);
        this.ifindex = ifindex;
        ifindex(ifindex);
        this.ring = ring;
        message.setZero(0, message.capacity());
        message.setLongLE(MSG_IOV, messageAddress + IOVEC_AT);
        message.setLongLE(MSG_IOVLEN, 1);
        message.setLongLE(MSG_CONTROL, messageAddress + CONTROL_AT);
    }

    /** Attaches to the existing interface {@code name}, setting it up; throws when it does not exist. */
    public static PacketSocketPort open(String name, int stripes) throws SysException {
        int ifindex = Interfaces.index(name);
        if (ifindex == 0) {
            throw new SysException("interface " + name + " does not exist", Errno.ENODEV);
        }
        Interfaces.setUp(name);
        int mtu = Interfaces.mtu(name);
        int fd = PacketSockets.open(ifindex, name, RING_SLOTS);
        try {
            return new PacketSocketPort(name, stripes, fd, mtu, ifindex, PacketRing.map(fd, RING_SLOTS, name));
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
    protected void bound(LoopContext ctx) {
        // frames too big for a ring slot are read into the loop's buffer, behind the tag's headroom
        message.setLongLE(IOVEC_AT, ctx.buffer().memoryAddress() + HEADROOM);
        message.setLongLE(IOVEC_AT + 8, LoopContext.BUFFER_SIZE - HEADROOM);
    }

    @Override
    protected int receive(LoopContext ctx) {
        int n = 0;
        int slot;
        while (n < BATCH && (slot = ring.ready()) >= 0) {
            frame(ctx, slot);
            ring.release();
            n++;
        }
        if (n > 0) {
            linkDownLogged = false;
        }
        return retired() ? BROKEN : n == 0 ? DRAINED : n;
    }

    /** Hands the frame in the ring slot at {@code slot} to the bridge, its VLAN tag put back inline. */
    private void frame(LoopContext ctx, int slot) {
        int status = ring.status(slot);
        if ((status & PacketRing.COPY) != 0) {
            copied(ctx);
            return;
        }
        int length = ring.captured(slot) + VirtioNetHeader.SIZE;
        if (length - VirtioNetHeader.SIZE < ring.length(slot)) {
            // too big for its slot and not queued on the socket: the queue was full
            dropOnReceive(DropReason.KERNEL_QUEUE_FULL, ring.length(slot), ctx.stripe());
            return;
        }
        forward(ctx, ring.buffer(), slot + ring.frameOffset(slot) - VirtioNetHeader.SIZE, length, status,
                ring.vlanTpid(slot), ring.vlanTci(slot));
    }

    /** Reads the frame that did not fit its ring slot off the socket and hands it to the bridge. */
    private void copied(LoopContext ctx) {
        message.setLongLE(MSG_CONTROLLEN, CONTROL_SIZE);
        message.setIntLE(MSG_FLAGS, 0);
        long n = LibC.recvmsg(fd.intValue(), messageAddress, MSG_DONTWAIT);
        queueReads++;
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno != Errno.EAGAIN && errno != EINTR) {
                socketError(errno);
            }
            return;
        }
        queuedFrames++;
        int length = (int) n;
        int stripe = ctx.stripe();
        if (length < VirtioNetHeader.SIZE) {
            dropOnReceive(DropReason.RUNT, 0, stripe);
            return;
        }
        if ((message.getIntLE(MSG_FLAGS) & MSG_TRUNC) != 0) {
            dropOnReceive(DropReason.TRUNCATED, length - VirtioNetHeader.SIZE, stripe);
            return;
        }
        forward(ctx, ctx.buffer(), HEADROOM, length, auxStatus(), message.getUnsignedShortLE(AUX_VLAN_TPID),
                message.getUnsignedShortLE(AUX_VLAN_TCI));
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

    private int auxStatus() {
        if (message.getLongLE(MSG_CONTROLLEN) < 16 + AUX_SIZE
                || message.getIntLE(CMSG_LEVEL) != PacketSockets.SOL_PACKET
                || message.getIntLE(CMSG_TYPE) != PacketSockets.PACKET_AUXDATA) {
            return 0;
        }
        return message.getIntLE(AUX_STATUS);
    }

    @Override
    protected boolean queue(ByteBuf buf, int offset, int length, LoopContext ctx) {
        EgressBatch batch = ctx.egress();
        if (batch.add(this, buf, offset, length)) {
            return true;
        }
        // full, or a frame too big to queue: what this port has queued leaves first, in order
        batch.flush(ctx.stripe());
        return batch.add(this, buf, offset, length);
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
        if (message.refCnt() > 0) {
            message.release();
        }
    }
}

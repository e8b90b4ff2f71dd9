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
import io.switchd.sys.PacketSockets;
import io.switchd.sys.SysException;
import io.switchd.sys.VirtioNetHeader;

/**
 * An existing interface attached through an AF_PACKET socket. The kernel strips the 802.1Q tag on
 * receive and reports it only in PACKET_AUXDATA, so frames are read with recvmmsg and the tag is
 * put back inline in the headroom before the frame; a plain read would lose it.
 *
 * <p>One recvmmsg takes up to {@link LoopContext#SLOTS} frames, each into its own slot of the
 * loop's buffer, every slot large enough for a 64 KB super-frame, so nothing is truncated. The
 * message headers, their iovecs and control buffers live in one direct buffer per port, set up
 * once: a batch is one system call and no allocation.
 */
public final class PacketSocketPort extends FdPort {
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    private static final int EINTR = 4;
    /** Frames taken in one recvmmsg, one per slot of the loop's buffer. */
    private static final int BATCH = LoopContext.SLOTS;
    // an array of struct mmsghdr (msghdr, msg_len: 64 bytes each, LP64), then one iovec and one
    // control buffer per slot
    private static final int MMSGHDR = 64;
    private static final int IOVEC = 16;
    private static final int IOVECS_AT = MMSGHDR * BATCH;
    private static final int CONTROLS_AT = IOVECS_AT + IOVEC * BATCH;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int MSG_LEN = 56;
    private static final int CONTROL_SIZE = 48;
    private static final int MESSAGE_SIZE = CONTROLS_AT + CONTROL_SIZE * BATCH;
    // struct cmsghdr, then struct tpacket_auxdata
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int CMSG_DATA = 16;
    private static final int AUX_STATUS = 0;
    private static final int AUX_VLAN_TCI = 16;
    private static final int AUX_VLAN_TPID = 18;
    private static final int AUX_SIZE = 20;
    private static final int TP_STATUS_VLAN_VALID = 1 << 4;
    private static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    /** The virtio-net header and both addresses: the least a frame that can carry a tag has. */
    private static final int MOVED_BYTES = VirtioNetHeader.SIZE + 12;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PacketSocketPort.class.getName());

    private final int ifindex;
    private boolean linkDownLogged;
    /** How many message headers the last recvmmsg filled (all of them before the first). */
    private int filled = BATCH;
    private final ByteBuf message = Unpooled.directBuffer(MESSAGE_SIZE, MESSAGE_SIZE);
    private final long messageAddress = message.memoryAddress();

    private PacketSocketPort(String name, int stripes, int fd, int mtu, int ifindex) {
        super(name, PortType.NETDEV, stripes, fd, mtu);
        this.ifindex = ifindex;
        message.setZero(0, message.capacity());
    }

    /** Attaches to the existing interface {@code name}, setting it up; throws when it does not exist. */
    public static PacketSocketPort open(String name, int stripes) throws SysException {
        int ifindex = Interfaces.index(name);
        if (ifindex == 0) {
            throw new SysException("interface " + name + " does not exist", Errno.ENODEV);
        }
        Interfaces.setUp(name);
        int mtu = Interfaces.mtu(name);
        int fd = PacketSockets.open(ifindex, name);
        return new PacketSocketPort(name, stripes, fd, mtu, ifindex);
    }

    @Override
    protected void bound(LoopContext ctx) {
        ByteBuf buf = ctx.buffer();
        for (int i = 0; i < BATCH; i++) {
            int h = i * MMSGHDR;
            int iov = IOVECS_AT + i * IOVEC;
            message.setLongLE(h + MSG_IOV, messageAddress + iov);
            message.setLongLE(h + MSG_IOVLEN, 1);
            message.setLongLE(h + MSG_CONTROL, messageAddress + control(i));
            message.setLongLE(iov, buf.memoryAddress() + (long) i * LoopContext.SLOT_SIZE + HEADROOM);
            message.setLongLE(iov + 8, LoopContext.SLOT_SIZE - HEADROOM);
        }
    }

    @Override
    protected int receive(LoopContext ctx) {
        // the kernel rewrote the control lengths and flags of the headers it filled last time
        for (int i = 0; i < filled; i++) {
            int h = i * MMSGHDR;
            message.setLongLE(h + MSG_CONTROLLEN, CONTROL_SIZE);
            message.setIntLE(h + MSG_FLAGS, 0);
        }
        int n = LibC.recvmmsg(fd.intValue(), messageAddress, BATCH, MSG_DONTWAIT, 0L);
        filled = Math.max(n, 0);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN || errno == EINTR) {
                return DRAINED;
            }
            if (errno == Errno.ENETDOWN && Interfaces.index(name()) == ifindex) {
                // Set down, not deleted: the kernel re-arms the socket when the link comes up again.
                linkDown();
                return DRAINED;
            }
            // Deleted (or a worse error): the socket stays silent from here on.
            fail("recvmmsg: " + Errno.describe(errno));
            return BROKEN;
        }
        if (n > 0) {
            linkDownLogged = false;
        }
        for (int i = 0; i < n; i++) {
            frame(ctx, i);
        }
        return n == 0 ? DRAINED : n;
    }

    /** Hands the frame in slot {@code i} to the bridge, its out-of-band VLAN tag put back inline. */
    private void frame(LoopContext ctx, int i) {
        int h = i * MMSGHDR;
        int length = message.getIntLE(h + MSG_LEN);
        int stripe = ctx.stripe();
        if (length < VirtioNetHeader.SIZE) {
            dropOnReceive(DropReason.RUNT, 0, stripe);
            return;
        }
        if ((message.getIntLE(h + MSG_FLAGS) & MSG_TRUNC) != 0) {
            dropOnReceive(DropReason.TRUNCATED, length - VirtioNetHeader.SIZE, stripe);
            return;
        }
        ByteBuf buf = ctx.buffer();
        int offset = i * LoopContext.SLOT_SIZE + HEADROOM;
        int c = control(i);
        int status = auxStatus(h, c);
        if ((status & TP_STATUS_VLAN_VALID) != 0 && length >= MOVED_BYTES) {
            int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                    ? message.getUnsignedShortLE(c + CMSG_DATA + AUX_VLAN_TPID) : EthernetFrame.TPID_8021Q;
            int tci = message.getUnsignedShortLE(c + CMSG_DATA + AUX_VLAN_TCI);
            FrameForm form = ctx.form();
            form.reset(buf, offset, length, false, 0);
            form.tagged(tpid, tci);
            offset = form.offset();
            length = form.length();
        }
        bridge().receive(this, buf, offset, length, ctx);
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

    private int auxStatus(int h, int c) {
        long controlLength = message.getLongLE(h + MSG_CONTROLLEN);
        if (controlLength < CMSG_DATA + AUX_SIZE
                || message.getIntLE(c + CMSG_LEVEL) != PacketSockets.SOL_PACKET
                || message.getIntLE(c + CMSG_TYPE) != PacketSockets.PACKET_AUXDATA) {
            return 0;
        }
        return message.getIntLE(c + CMSG_DATA + AUX_STATUS);
    }

    private static int control(int i) {
        return CONTROLS_AT + i * CONTROL_SIZE;
    }

    @Override
    public synchronized void closeDescriptor() {
        super.closeDescriptor();
        if (message.refCnt() > 0) {
            message.release();
        }
    }
}

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
 * receive and reports it only in PACKET_AUXDATA, so frames are read with recvmsg and the tag is put
 * back inline in the headroom before the frame; a plain read would lose it.
 *
 * <p>The message header, its iovec and the control buffer live in one small direct buffer per
 * port, set up once, so a receive is one system call and no allocation.
 */
public final class PacketSocketPort extends FdPort {
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    private static final int EINTR = 4;
    // struct msghdr (x86_64 / aarch64 LP64)
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int IOV_AT = 56;
    private static final int CONTROL_AT = 80;
    private static final int CONTROL_SIZE = 48;
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
    private final ByteBuf message = Unpooled.directBuffer(128, 128);
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
        message.setLongLE(MSG_IOV, messageAddress + IOV_AT);
        message.setLongLE(MSG_IOVLEN, 1);
        message.setLongLE(MSG_CONTROL, messageAddress + CONTROL_AT);
        message.setLongLE(IOV_AT, buf.memoryAddress() + HEADROOM);
        message.setLongLE(IOV_AT + 8, buf.capacity() - HEADROOM);
    }

    @Override
    protected int receive(LoopContext ctx) {
        message.setLongLE(MSG_CONTROLLEN, CONTROL_SIZE);
        message.setIntLE(MSG_FLAGS, 0);
        long n = LibC.recvmsg(fd.intValue(), messageAddress, MSG_DONTWAIT);
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
            fail("recvmsg: " + Errno.describe(errno));
            return BROKEN;
        }
        int length = (int) n;
        int stripe = ctx.stripe();
        linkDownLogged = false;
        if (length < VirtioNetHeader.SIZE) {
            dropOnReceive(DropReason.RUNT, 0, stripe);
            return RECEIVED;
        }
        if ((message.getIntLE(MSG_FLAGS) & MSG_TRUNC) != 0) {
            dropOnReceive(DropReason.TRUNCATED, length - VirtioNetHeader.SIZE, stripe);
            return RECEIVED;
        }
        ByteBuf buf = ctx.buffer();
        int offset = HEADROOM;
        int status = auxStatus();
        if ((status & TP_STATUS_VLAN_VALID) != 0 && length >= MOVED_BYTES) {
            int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                    ? message.getUnsignedShortLE(CONTROL_AT + CMSG_DATA + AUX_VLAN_TPID) : EthernetFrame.TPID_8021Q;
            int tci = message.getUnsignedShortLE(CONTROL_AT + CMSG_DATA + AUX_VLAN_TCI);
            FrameForm form = ctx.form();
            form.reset(buf, offset, length, false, 0);
            form.tagged(tpid, tci);
            offset = form.offset();
            length = form.length();
        }
        bridge().receive(this, buf, offset, length, ctx);
        return RECEIVED;
    }

    private void linkDown() {
        if (!linkDownLogged) {
            linkDownLogged = true;
            LOG.info(this + ": interface " + name() + " is down; frames to it are dropped until it is up");
        }
    }

    private int auxStatus() {
        long controlLength = message.getLongLE(MSG_CONTROLLEN);
        if (controlLength < CMSG_DATA + AUX_SIZE
                || message.getIntLE(CONTROL_AT + CMSG_LEVEL) != PacketSockets.SOL_PACKET
                || message.getIntLE(CONTROL_AT + CMSG_TYPE) != PacketSockets.PACKET_AUXDATA) {
            return 0;
        }
        return message.getIntLE(CONTROL_AT + CMSG_DATA + AUX_STATUS);
    }

    @Override
    public synchronized void closeDescriptor() {
        super.closeDescriptor();
        if (message.refCnt() > 0) {
            message.release();
        }
    }
}

package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.Errors;
import io.switchd.config.PortType;
import io.switchd.dataplane.LoopContext;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.LinkCounters;
import io.switchd.sys.SysException;
import io.switchd.sys.Tun;
import io.switchd.sys.VirtioNetHeader;

import java.io.IOException;

/**
 * A TAP interface whose descriptor switchd holds. Frames come one per read behind a virtio-net
 * header, VLAN tags inline. The interface side may be moved into another namespace; the
 * descriptor keeps working.
 */
public final class TapPort extends FdPort {
    private final boolean created;
    private final boolean persistent;
    /**
     * The interface's tx_dropped when last read: counted before the port opened it (an existing
     * persistent TAP) or already added to the port's drops. UNKNOWN until first read.
     */
    private long txDroppedSeen;

    private TapPort(String name, int stripes, int fd, int mtu, boolean created, boolean persistent) {
        super(name, PortType.TAP, stripes, fd, mtu);
        this.created = created;
        this.persistent = persistent;
        this.txDroppedSeen = Tun.txDropped(fd);
    }

    /**
     * Creates the TAP interface {@code name}, or attaches to the existing persistent one, and sets it
     * up. An interface this call created disappears when the port closes unless {@code persistent}.
     */
    public static TapPort open(String name, boolean persistent, int stripes) throws SysException {
        boolean existed = Interfaces.exists(name);
        int fd = Tun.open(name, persistent && !existed);
        try {
            Interfaces.setUp(name);
            int mtu = Interfaces.mtu(name);
            TapPort port = new TapPort(name, stripes, fd, mtu, !existed, persistent);
            port.ifindex(Interfaces.index(name));
            return port;
        } catch (SysException | RuntimeException e) {
            io.switchd.sys.LibC.close(fd);
            throw e;
        }
    }

    /**
     * Makes an interface this port created go away with its descriptor even if it was made
     * persistent: the operator deleted the port.
     */
    public void removeInterfaceOnClose() {
        if (created && persistent) {
            io.switchd.sys.Tun.unpersist(fd.intValue());
        }
    }

    /** Whether switchd created the interface (rather than attaching to a persistent one). */
    public boolean created() {
        return created;
    }

    /** Whether the interface outlives the port. */
    public boolean persistent() {
        return persistent || !created;
    }

    @Override
    protected String queryInterfaceName() {
        return Tun.name(fd.intValue());
    }

    @Override
    protected long kernelDrops() {
        // tx_dropped of the TAP interface: what its side sent that the kernel could not queue to us.
        long now = fd.isOpen() ? Tun.txDropped(fd.intValue()) : LinkCounters.UNKNOWN;
        if (now == LinkCounters.UNKNOWN) {
            return 0; // out of sight for now (a namespace ours has no id for): counted when back
        }
        long seen = txDroppedSeen;
        txDroppedSeen = now;
        return seen == LinkCounters.UNKNOWN || now < seen ? 0 : now - seen;
    }

    @Override
    protected int receive(LoopContext ctx) {
        ByteBuf buf = ctx.buffer();
        int n;
        try {
            n = fd.readAddress(buf.memoryAddress(), HEADROOM, LoopContext.BUFFER_SIZE);
        } catch (Errors.NativeIoException e) {
            if (-e.expectedErr() == Errno.EBADFD) {
                interfaceGone(); // deleted, or destroyed with the namespace it was moved to
            } else {
                fail("read: " + e.getMessage()); // as fatal for this descriptor, and unexpected
            }
            return BROKEN;
        } catch (IOException e) {
            fail("read: " + e.getMessage());
            return BROKEN;
        }
        if (n <= 0) {
            return DRAINED;
        }
        if (n < VirtioNetHeader.SIZE) {
            dropOnReceive(DropReason.RUNT, 0, ctx.stripe());
            return RECEIVED;
        }
        bridge().receive(this, buf, HEADROOM, n, ctx);
        return RECEIVED;
    }
}

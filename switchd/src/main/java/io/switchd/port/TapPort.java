package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.Errors;
import io.switchd.bridge.Bridge;
import io.switchd.config.PortType;
import io.switchd.dataplane.LoopContext;
import io.switchd.frame.FlowKey;
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
public final class TapPort extends FdPort implements ReadAhead.Holder {
    private final boolean created;
    private final boolean persistent;
    /**
     * The interface's tx_dropped when last read: counted before the port opened it (an existing
     * persistent TAP) or already added to the port's drops. UNKNOWN until first read.
     */
    private long txDroppedSeen;
    /**
     * The largest frame (virtio-net header included) that may leave ahead of the big frames read
     * before it: a ping, an ARP, a TCP acknowledgement; not a full-size frame.
     */
    static final int SMALL_FRAME = 256;
    /** The conversations of this port's frames waiting in its loop's {@link ReadAhead}. */
    private final HeldConversations held = new HeldConversations();

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

    /**
     * Reads one frame. While there is room, into the loop's {@link ReadAhead}: a big frame waits
     * there for its turn and the reading goes on past it, so the small frames queued behind a
     * sender's window are seen now; a small frame whose conversation has nothing waiting leaves at
     * once. Without room, this port's frames wait until some have left; a port with nothing waiting
     * reads and forwards one frame at a time, as without read-ahead.
     */
    @Override
    protected int receive(LoopContext ctx) {
        ReadAhead ahead = ctx.readAhead();
        int slot = ahead.reserve();
        if (slot < 0 && held.held() > 0) {
            ahead.forward(ctx, READ_BUDGET_BYTES); // this port's own frames keep their order
            slot = ahead.reserve();
            if (slot < 0) {
                return DRAINED; // still no room: read again when the loop comes back (level-triggered)
            }
        }
        ByteBuf buf = slot < 0 ? ctx.buffer() : ahead.buffer();
        int at = slot < 0 ? HEADROOM : slot + HEADROOM;
        int n;
        try {
            n = fd.readAddress(buf.memoryAddress(), at, at - HEADROOM + LoopContext.BUFFER_SIZE);
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
        if (slot < 0) {
            bridge().receive(this, buf, at, n, ctx);
            return RECEIVED;
        }
        long key = FlowKey.of(buf, at + VirtioNetHeader.SIZE, n - VirtioNetHeader.SIZE, 0);
        if (n <= SMALL_FRAME && held.mayPass(key)) {
            bridge().receive(this, buf, at, n, ctx);
            return RECEIVED;
        }
        ahead.commit(this, slot, n, key);
        held.add(key);
        ahead.schedule(loop(), ctx);
        return RECEIVED;
    }

    @Override
    public void forwardHeld(ByteBuf buf, int offset, int length, long key, LoopContext ctx) {
        held.remove(key);
        Bridge b = bridge();
        if (b == null || retired()) {
            dropOnReceive(DropReason.PORT_DOWN, length - VirtioNetHeader.SIZE, ctx.stripe());
            return;
        }
        b.receive(this, buf, offset, length, ctx);
    }
}

package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.switchd.config.PortType;
import io.switchd.dataplane.DataPlane;
import io.switchd.dataplane.LoopContext;
import io.switchd.sys.Errno;
import io.switchd.sys.VirtioNetHeader;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * A port behind a kernel descriptor, read by one event loop. Each wake-up reads frames until the
 * descriptor would block or a budget runs out, so one busy port cannot starve the others on its
 * loop; registration is level-triggered, so what the budget left is reported again. The budget
 * counts bytes as well as frames: a frame may be a 64 KB super-frame, and 64 of them would hold
 * the loop's other ports (a neighbour's ping, a TCP stream's acknowledgements) for milliseconds.
 */
public abstract class FdPort extends Port implements EpollIoHandle {
    private static final Logger LOG = Logger.getLogger(FdPort.class.getName());
    /** Room before the frame for one 802.1Q tag: the bridge adds tags by moving the header into it. */
    public static final int HEADROOM = 4;
    /** Frames read per wake-up at most. */
    public static final int READ_BUDGET = 64;
    /**
     * Bytes read per wake-up at most (the frame that crosses it is the last): about 200 us of a
     * loop's copying and forwarding, so a port waits at most that long for each busy port before
     * it on its loop. 64 full-size frames fit; four super-frames do.
     */
    public static final int READ_BUDGET_BYTES = 256 * 1024;
    /** Wake-ups in a row with an error and nothing to read before the port is taken down. */
    private static final int ERROR_WAKEUPS_LIMIT = 1000;
    /** What {@link #receive} returns when the descriptor has nothing more. */
    protected static final int DRAINED = 0;
    /** What {@link #receive} returns after one frame (it returns how many it handled). */
    protected static final int RECEIVED = 1;
    /** What {@link #receive} returns when the port has failed and must stop. */
    protected static final int BROKEN = -1;

    protected final FileDescriptor fd;
    private LoopContext context;
    private DataPlane dataPlane;
    private IoRegistration registration;
    private volatile boolean retired;
    private volatile int ifindex;
    private int errorWakeups;

    protected FdPort(String name, PortType type, int stripes, int fd, int mtu) {
        super(name, type, stripes);
        this.fd = new FileDescriptor(fd);
        mtu(mtu);
    }

    /**
     * Reads frames into the loop's buffer and hands them to the bridge; returns how many, or
     * {@link #DRAINED} when there were none, or {@link #BROKEN}.
     */
    protected abstract int receive(LoopContext ctx);

    /**
     * Called on the loop when epoll reports an error on the descriptor, before reading it: for
     * descriptors whose reads do not return (and so clear) the error.
     */
    protected void errorReported() {}

    /** Called on the loop before registration: the buffer and loop this port reads with. */
    public void bind(LoopContext ctx, DataPlane plane) {
        this.context = ctx;
        this.dataPlane = plane;
    }

    /** Called on the loop once the descriptor is on its epoll set. */
    public void registered(IoRegistration registration) {
        this.registration = registration;
        attached(true);
    }

    /**
     * The current name of the interface behind the descriptor, or null when it is gone (or, for a
     * TAP, out of this namespace's sight): the link follower's question after every link event.
     */
    public final synchronized String interfaceName() {
        return retired || !fd.isOpen() ? null : queryInterfaceName();
    }

    /** The index of the interface in our namespace when last seen there (link events name it by index). */
    public final int ifindex() {
        return ifindex;
    }

    /** Records the interface's index in our namespace. */
    public final void ifindex(int index) {
        this.ifindex = index;
    }

    /** The loop that reads this port; null before {@link #bind}. */
    protected final io.netty.channel.IoEventLoop loop() {
        return dataPlane == null ? null : dataPlane.loop(context.stripe());
    }

    /** Asks the kernel for the name of the interface behind the open descriptor; null when it is gone. */
    protected abstract String queryInterfaceName();

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        LoopContext ctx = context;
        ctx.tick();
        boolean error = ((EpollIoEvent) event).ops().contains(EpollIoOps.EPOLLERR);
        if (error) {
            errorReported();
        }
        try {
            read(ctx, error);
        } finally {
            // what the frames read here queued for packet-socket egress leaves before the next port is read
            ctx.egress().flush(ctx.stripe());
        }
    }

    /** Reads what one wake-up's budget allows. */
    final void read(LoopContext ctx, boolean error) {
        long bytesEnd = ctx.receivedBytes() + READ_BUDGET_BYTES;
        for (int n = 0; n < READ_BUDGET && ctx.receivedBytes() < bytesEnd; ) {
            int r = receive(ctx);
            if (r > 0) {
                n += r;
                continue;
            }
            if (r == DRAINED && n == 0 && error) {
                // An error that reading does not clear would wake this level-triggered loop forever.
                if (++errorWakeups > ERROR_WAKEUPS_LIMIT) {
                    fail("the descriptor keeps reporting an error");
                }
            } else {
                errorWakeups = 0;
            }
            return;
        }
    }

    @Override
    protected int write(ByteBuf buf, int offset, int length) {
        try {
            int n = fd.writeAddress(buf.memoryAddress(), offset, offset + length);
            return n > 0 ? SENT : FULL;
        } catch (Errors.NativeIoException e) {
            int errno = -e.expectedErr();
            return errno == Errno.EAGAIN || errno == Errno.ENOBUFS ? FULL : FAILED;
        } catch (IOException e) {
            return FAILED;
        }
    }

    /**
     * Writes the frame on this port's loop, the one thread that writes its descriptor, into the
     * loop's receive buffer, which is free between two wake-ups. The write bypasses the egress
     * batch, whose frames leave only at the end of a read.
     */
    @Override
    public final void sendControlFrame(byte[] frame) {
        DataPlane plane = dataPlane;
        LoopContext ctx = context;
        if (plane == null || retired || frame.length + HEADROOM + VirtioNetHeader.SIZE > LoopContext.BUFFER_SIZE) {
            return;
        }
        Runnable write = () -> {
            if (retired) {
                return;
            }
            ByteBuf buf = ctx.buffer();
            buf.setZero(HEADROOM, VirtioNetHeader.SIZE);
            buf.setBytes(HEADROOM + VirtioNetHeader.SIZE, frame);
            int result = write(buf, HEADROOM, VirtioNetHeader.SIZE + frame.length);
            counted(result, frame.length, ctx.stripe());
            if (result == SENT) {
                counters().increment(ctx.stripe(), PortCounters.TX_BPDUS);
            }
        };
        try {
            plane.loop(ctx.stripe()).execute(write);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the loops are shutting down with the daemon: a BPDU less is nothing to report
        }
    }

    /**
     * Called on the loop when the descriptor says its interface is gone (deleted, or destroyed with
     * its namespace), an event the operator expects: stops reading it, so a descriptor that can
     * only fail does not wake the loop again, and leaves the rest (retiring the port, saying so,
     * making a TAP again) to the control plane, off the loops.
     */
    protected final void interfaceGone() {
        IoRegistration reg = registration;
        if (reg != null) {
            reg.cancel();
        }
        if (dataPlane != null) {
            dataPlane.portLost(this);
        }
    }

    /**
     * Takes the port out of forwarding after its descriptor failed: stops reading it, tells the
     * bridge, and closes the descriptor once no loop can still be writing to it.
     */
    protected final void fail(String why) {
        if (retired) {
            return;
        }
        LOG.warning(this + " failed: " + why + "; the port is absent until its interface is back, the other ports go on");
        retire();
    }

    /**
     * Takes the port out of forwarding (it is absent from now on), stops reading and closes the
     * descriptor once no loop can still be using it; false if it was retired already.
     */
    public final boolean retire() {
        synchronized (this) {
            if (retired) {
                return false;
            }
            retired = true;
        }
        attached(false);
        if (bridge() != null) {
            bridge().portsChanged();
            bridge().forget(this);
        }
        IoRegistration reg = registration;
        if (reg != null) {
            // Cancel before close: a reused descriptor number must not collide in Netty's map.
            reg.cancel();
        }
        if (dataPlane != null) {
            dataPlane.afterQuiescence(this::closeDescriptor);
        } else {
            closeDescriptor();
        }
        return true;
    }

    /** Counts a frame dropped on receive. */
    protected final void dropOnReceive(DropReason reason, int frameLength, int stripe) {
        counters().increment(stripe, PortCounters.RX_FRAMES);
        counters().add(stripe, PortCounters.RX_BYTES, frameLength);
        counters().increment(stripe, PortCounters.drop(reason));
    }

    @Override
    public synchronized void closeDescriptor() {
        try {
            if (fd.isOpen()) {
                collectKernelDrops(); // the last ones: the kernel's count goes with the descriptor
                fd.close();
            }
        } catch (IOException e) {
            LOG.warning(this + ": close failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        // Netty calls this at shutdown while the registration is still valid; closing is ours.
    }

    /** Whether the descriptor failed or the port was removed. */
    public boolean retired() {
        return retired;
    }
}

package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.switchd.bridge.Bridge;
import io.switchd.config.PortType;
import io.switchd.dataplane.LoopContext;
import io.switchd.metrics.StripedCounters;
import io.switchd.stp.StpState;

/**
 * A bridge port: where frames come in from and go out to one interface. Subclasses own the
 * descriptor; this class holds what the bridge needs (index, state, MTU, counters) and counts
 * every transmit.
 */
public abstract class Port {
    /** What {@link #write} returns when the frame left. */
    protected static final int SENT = 0;
    /** What {@link #write} returns when the descriptor was full. */
    protected static final int FULL = 1;
    /** What {@link #write} returns when the descriptor failed the write. */
    protected static final int FAILED = 2;

    private volatile String name;
    private final PortType type;
    private StripedCounters counters;
    private volatile PortState state = PortState.ABSENT;
    private boolean attached;
    private boolean adminUp = true;
    private boolean linkUp = true;
    /** BPDU guard took the port down; only the operator's {@link #release} brings it back. */
    private boolean guardDown;
    /** What the guest behind the port did wrong, or null: the port is down until the guest starts over. */
    private String guestError;
    private volatile int mtu = 1500;
    private volatile PortPolicy policy = PortPolicy.DEFAULT;
    /** Read by the loops on every frame, written by the spanning tree's thread through the bridge. */
    private volatile StpState stpState = StpState.FORWARDING;
    private Bridge bridge;
    private int index = -1;

    protected Port(String name, PortType type, int stripes) {
        this.name = name;
        this.type = type;
        this.counters = PortCounters.create(stripes);
    }

    /** Writes one frame (virtio-net header first) from {@code buf}; returns SENT, FULL or FAILED. */
    protected abstract int write(ByteBuf buf, int offset, int length);

    /** Closes the descriptor, if any; called once no loop can be writing to it any more. */
    public abstract void closeDescriptor();

    /**
     * Sends a frame out of this port, or queues a copy of it on the loop's {@link EgressBatch} to
     * go with others when the loop has read its batch, and counts it; {@code length} includes the
     * virtio-net header.
     */
    public final void send(ByteBuf buf, int offset, int length, int frameLength, LoopContext ctx) {
        if (!queue(buf, offset, length, ctx)) {
            counted(write(buf, offset, length), frameLength, ctx.stripe());
        }
    }

    /**
     * Copies the frame into the loop's egress batch if this port writes in batches; false when it
     * is to be written now (it does not, or the frame is too big to queue).
     */
    protected boolean queue(ByteBuf buf, int offset, int length, LoopContext ctx) {
        return false;
    }

    /**
     * Sends a frame the control plane made (a BPDU: Ethernet header first, no virtio-net header)
     * out of this port, from the thread that may write its descriptor, and counts it; returns
     * without waiting. Off the data path: it may allocate.
     */
    public void sendControlFrame(byte[] frame) {
        // a port with no descriptor sends nothing
    }

    /** Counts the outcome of one write: SENT, FULL or FAILED. */
    protected final void counted(int result, int frameLength, int stripe) {
        if (result == SENT) {
            counters.increment(stripe, PortCounters.TX_FRAMES);
            counters.add(stripe, PortCounters.TX_BYTES, frameLength);
        } else {
            counters.increment(stripe, PortCounters.drop(result == FULL ? DropReason.EGRESS_FULL : DropReason.EGRESS_ERROR));
        }
    }

    /**
     * Adds the frames the kernel dropped on their way to this port's descriptor since the last
     * call to its {@link DropReason#KERNEL_QUEUE_FULL} count. Off the data path (system calls):
     * the maintenance thread and readers of stats and metrics call it; they write the counter set's
     * last stripe, which no forwarding loop uses, one at a time under this port's lock.
     */
    public final synchronized void collectKernelDrops() {
        long n = kernelDrops();
        if (n > 0) {
            counters.add(counters.stripes() - 1, PortCounters.drop(DropReason.KERNEL_QUEUE_FULL), n);
        }
    }

    /** The frames the kernel dropped for this port since the last call; called under the port's lock. */
    protected long kernelDrops() {
        return 0;
    }

    /** Joins this port to {@code bridge} at {@code index}; done once, before it forwards. */
    public final void join(Bridge bridge, int index) {
        this.bridge = bridge;
        this.index = index;
    }

    /** The bridge this port belongs to. */
    public final Bridge bridge() {
        return bridge;
    }

    /** The port's index in its bridge, which MAC table entries refer to. */
    public final int index() {
        return index;
    }

    /** The interface name. */
    public final String name() {
        return name;
    }

    /** How the port reaches its interface. */
    public final PortType type() {
        return type;
    }

    /** The port's counters ({@link PortCounters} ids). */
    public final StripedCounters counters() {
        return counters;
    }

    /** The port's current state. */
    public final PortState state() {
        return state;
    }

    /**
     * Records whether a descriptor is attached (false: the port is absent); the bridge must
     * republish its port set ({@link Bridge#portsChanged}) after any of these state changes.
     */
    protected final synchronized void attached(boolean attached) {
        this.attached = attached;
        updateState();
    }

    /** Whether a descriptor (or a guest) is attached: false while the port is absent. */
    protected final synchronized boolean attached() {
        return attached;
    }

    /** Records the operator's wish: forward (true) or not. */
    public final synchronized void adminUp(boolean up) {
        this.adminUp = up;
        updateState();
    }

    /** Whether the operator wants the port to forward. */
    public final synchronized boolean adminUp() {
        return adminUp;
    }

    /** Records whether the interface is up with its carrier on, as rtnetlink reports it. */
    public final synchronized void linkUp(boolean up) {
        this.linkUp = up;
        updateState();
    }

    /**
     * BPDU guard heard a BPDU on this port: it is down, whatever its link does, until the operator
     * sets it up again ({@link #release}).
     */
    public final synchronized void guardDown() {
        this.guardDown = true;
        updateState();
    }

    /**
     * The guest behind the port broke the rules of its rings ({@code what} says how): the port is
     * down until {@link #guestRestarted}. Off the per-frame path: called once per error.
     */
    public final synchronized void guestError(String what) {
        if (guestError == null) {
            this.guestError = what;
            updateState();
        }
    }

    /** The guest started over (it reconnected or reset its device): a guest error no longer holds the port. */
    public final synchronized void guestRestarted() {
        this.guestError = null;
        updateState();
    }

    /** What the guest did wrong, while it holds the port down; null otherwise. */
    public final synchronized String guestErrorDetail() {
        return guestError;
    }

    /** The operator set the port up: BPDU guard's hold on it, if any, ends. */
    public final synchronized void release() {
        this.guardDown = false;
        updateState();
    }

    /** Why the port is not up, or null when it is. */
    public final synchronized DownReason downReason() {
        return !attached ? DownReason.ABSENT
                : !adminUp ? DownReason.ADMIN_DOWN
                : guardDown ? DownReason.BPDU_GUARD
                : guestError != null ? DownReason.GUEST_ERROR
                : !linkUp ? DownReason.LINK_DOWN
                : null;
    }

    private void updateState() {
        DownReason why = downReason();
        state = why == null ? PortState.UP : why.state();
    }

    /**
     * Takes over what a port of the same name had before this one replaced it (its interface came
     * back): counters, settings and the operator's admin state. Called before this port is published.
     */
    public final void inherit(Port previous) {
        this.counters = previous.counters;
        this.policy = previous.policy;
        this.stpState = previous.stpState;
        synchronized (previous) {
            if (previous.guardDown) {
                guardDown();
            }
        }
        adminUp(previous.adminUp());
    }

    /** Follows the interface to its new name. */
    public final void rename(String name) {
        this.name = name;
    }

    /** The port's forwarding settings. */
    public final PortPolicy policy() {
        return policy;
    }

    /** Replaces the port's forwarding settings; frames from the next one on use them. */
    public final void policy(PortPolicy policy) {
        this.policy = policy;
    }

    /** What the spanning tree lets the port do: forwarding always on a bridge that runs none. */
    public final StpState stpState() {
        return stpState;
    }

    /** Sets the port's spanning tree state; the bridge must republish its port set after it ({@link Bridge#stpState}). */
    public final void stpState(StpState state) {
        this.stpState = state;
    }

    /** The interface MTU, which bounds the frames accepted on this port. */
    public final int mtu() {
        return mtu;
    }

    /** Records the interface MTU. */
    public final void mtu(int mtu) {
        this.mtu = mtu;
    }

    @Override
    public String toString() {
        return type.configName() + " port " + name;
    }
}

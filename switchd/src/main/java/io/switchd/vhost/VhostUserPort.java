package io.switchd.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.switchd.bridge.Bridge;
import io.switchd.config.PortType;
import io.switchd.dataplane.DataPlane;
import io.switchd.dataplane.LoopContext;
import io.switchd.frame.PartialChecksum;
import io.switchd.frame.TcpSegmenter;
import io.switchd.port.DropReason;
import io.switchd.port.FdPort;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.SharedEgressQueue;
import io.switchd.sys.LibC;
import io.switchd.sys.SysException;
import io.switchd.sys.VirtioNetHeader;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * A VM's port: its virtio-net queue pair in memory its vhost-user frontend (QEMU, DPDK's
 * virtio-user) shares with us. The frontend's requests ({@link VhostBackend}) and the guest's
 * transmit queue are handled on one loop, the port's own; frames reach the guest's receive queue
 * from whichever loop decided to send them, one loop at a time ({@link SharedEgressQueue}). The port
 * is absent until the frontend has set up and enabled both queues, and absent again when it goes.
 *
 * <p>The guest is not trusted: a ring or chain that breaks the rules ({@link GuestError}) drops the
 * frame, counts it as {@code guest-error}, and takes the port down with that reason until the
 * frontend starts over (reconnects or resets the device). The daemon and every other port go on.
 */
public final class VhostUserPort extends Port implements VhostBackend, SharedEgressQueue, TcpSegmenter.Sink {
    private static final Logger LOG = Logger.getLogger(VhostUserPort.class.getName());
    private static final int RX = 0;
    private static final int TX = 1;
    /** What the device offers: the rings' features and every offload the virtio-net header carries. */
    static final long OFFERED = VirtioFeatures.mask(VirtioFeatures.VERSION_1, VirtioFeatures.MRG_RXBUF,
            VirtioFeatures.EVENT_IDX, VirtioFeatures.INDIRECT_DESC, VirtioFeatures.PROTOCOL_FEATURES,
            VirtioFeatures.CSUM, VirtioFeatures.GUEST_CSUM, VirtioFeatures.HOST_TSO4, VirtioFeatures.HOST_TSO6,
            VirtioFeatures.HOST_ECN, VirtioFeatures.GUEST_TSO4, VirtioFeatures.GUEST_TSO6, VirtioFeatures.GUEST_ECN);
    /** Protocol features: MQ (one queue pair), REPLY_ACK, and memory regions added and removed one at a time. */
    static final long OFFERED_PROTOCOL = VirtioFeatures.mask(VhostUserProtocol.F_MQ, VhostUserProtocol.F_REPLY_ACK,
            VhostUserProtocol.F_CONFIGURE_MEM_SLOTS);
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(VhostUserPort.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoEventLoop loop;
    private final LoopContext owner;
    private final boolean busyPoll;
    private VhostUserEndpoint endpoint;

    // What the frontend set up; touched on the port's loop only.
    private final int[] num = new int[2];
    private final VringAddress[] address = new VringAddress[2];
    private final int[] base = new int[2];
    private final boolean[] started = new boolean[2];
    private final boolean[] enabled = new boolean[2];
    private final int[] errFd = {-1, -1};
    private GuestMemory memory = GuestMemory.EMPTY;
    private TxKick kick;
    private int txCallFd = -1;
    private boolean txOpen;

    /** The guest's transmit queue: read on the port's loop only. */
    private final SplitVirtqueue tx = new SplitVirtqueue();
    /** The guest's receive queue: written by the loop that holds {@link #lock}. */
    private final SplitVirtqueue rx = new SplitVirtqueue();
    /** 1 while a loop holds the receive queue (see {@link SharedEgressQueue}). */
    @SuppressWarnings("unused")
    private volatile int lock;
    /** Whether frames may go to the guest: read by any loop, changed under {@link #lock}. */
    private volatile boolean rxOpen;
    /** The receive queue's call eventfd: changed and signalled under {@link #lock}. */
    private int rxCallFd = -1;
    /**
     * The virtio features the frontend agreed to, 0 while none has: which offloads the guest takes on
     * receive, read once a frame by any loop; written on the port's loop.
     */
    private volatile long negotiated;

    /** An eventfd's 8 bytes: [0, 8) what a kick read, [8, 16) the 1 a call writes. */
    private final ByteBuf event = Unpooled.directBuffer(16, 16);
    private final long eventAddress = event.memoryAddress();
    private final Runnable drainTx = this::drainTx;
    private volatile boolean closed;
    /** Room for the headers and one segment of the largest super-frame. */
    private static final int SCRATCH_SIZE = VirtioNetHeader.SIZE + 65_536 + 256;
    private ByteBuf scratch;
    private int segmentStripe;

    private VhostUserPort(String name, DataPlane plane, int loopIndex) {
        super(name, PortType.VHOST_USER, plane.stripes());
        this.loop = plane.loop(loopIndex);
        this.owner = plane.context(loopIndex);
        this.busyPoll = plane.busyPoll();
        event.setLongLE(8, 1);
    }

    /**
     * The port {@code name} on the vhost-user socket {@code socket}: switchd listens there when
     * {@code server}, else it connects to the frontend listening there (retrying every second).
     */
    public static VhostUserPort open(String name, Path socket, boolean server, DataPlane plane) throws SysException {
        VhostUserPort port = new VhostUserPort(name, plane, plane.assign());
        try {
            port.endpoint = VhostUserEndpoint.start(server ? VhostUserEndpoint.Mode.SERVER : VhostUserEndpoint.Mode.CLIENT,
                    socket, port.loop, port);
        } catch (IOException e) {
            port.event.release();
            throw new SysException("vhost-user socket " + socket + ": " + e.getMessage(), 0);
        }
        return port;
    }

    /** The names of the features the frontend agreed to, for {@code port list -j}. */
    public List<String> featureNames() {
        return VirtioFeatures.names(negotiated);
    }

    // ---- frames to the guest: any loop ----

    @Override
    protected boolean queue(ByteBuf buf, int offset, int length, LoopContext ctx) {
        int stripe = ctx.stripe();
        if (!rxOpen) {
            counted(FULL, 0, stripe);
            return true;
        }
        long features = negotiated;
        int gso = buf.getByte(offset + VirtioNetHeader.GSO_TYPE_OFFSET) & 0xFF;
        boolean cut = gso != VirtioNetHeader.GSO_NONE && !takesSuperFrame(features, gso);
        if (!cut && !checksumFits(buf, offset, length, gso, features)) {
            counters().increment(stripe, PortCounters.drop(DropReason.OFFLOAD_UNSUPPORTED));
            return true;
        }
        ctx.egress().hold(this, stripe);
        if (!rxOpen) {
            counted(FULL, 0, stripe); // the frontend stopped the queue while we waited for it
            return true;
        }
        if (cut) {
            // a guest without TSO gets the segments a NIC would have made
            segmentStripe = stripe;
            if (TcpSegmenter.segment(buf, offset, length, scratch(), this) == TcpSegmenter.MALFORMED) {
                counters().increment(stripe, PortCounters.drop(DropReason.OFFLOAD_UNSUPPORTED));
            }
            return true;
        }
        push(buf.memoryAddress() + offset, length, stripe);
        return true;
    }

    /** Gives one frame to the guest and counts it; the caller holds the receive queue. */
    private void push(long address, int length, int stripe) {
        int r = rx.push(address, length);
        if (r >= 0) {
            counted(SENT, length - VirtioNetHeader.SIZE, stripe);
        } else if (r == SplitVirtqueue.NO_BUFFERS) {
            counted(FULL, 0, stripe);
        } else {
            counters().increment(stripe, PortCounters.drop(DropReason.GUEST_ERROR));
            guestFault(r, "receive");
        }
    }

    /** One segment of a super-frame the guest could not take whole; the queue is held. */
    @Override
    public void segment(ByteBuf buf, int offset, int length) {
        if (rxOpen) {
            push(buf.memoryAddress() + offset, length, segmentStripe);
        }
    }

    /** The buffer super-frames are cut in: made on the first one, used only by the queue's holder. */
    private ByteBuf scratch() {
        ByteBuf s = scratch;
        if (s == null) {
            s = Unpooled.directBuffer(SCRATCH_SIZE, SCRATCH_SIZE);
            scratch = s;
        }
        return s;
    }

    /** Whether the guest agreed to take super-frames of this kind (a virtio-net gso_type) whole. */
    private static boolean takesSuperFrame(long features, int gso) {
        boolean ecnOk = (gso & 0x80) == 0 || VirtioFeatures.has(features, VirtioFeatures.GUEST_ECN);
        return VirtioFeatures.has(features, VirtioFeatures.GUEST_CSUM) && ecnOk && switch (gso & 0x7F) {
            case 1 -> VirtioFeatures.has(features, VirtioFeatures.GUEST_TSO4); // VIRTIO_NET_HDR_GSO_TCPV4
            case 4 -> VirtioFeatures.has(features, VirtioFeatures.GUEST_TSO6); // VIRTIO_NET_HDR_GSO_TCPV6
            default -> false; // UDP fragmentation offload: not offered
        };
    }

    /**
     * Whether the guest can take the frame's checksum as it is: a checksum left to the receiver is
     * completed here for a guest that did not agree to take them (the frame keeps it for every
     * later egress, which is valid for all of them). Super-frames are the segmenter's.
     */
    private static boolean checksumFits(ByteBuf buf, int offset, int length, int gso, long features) {
        int flags = buf.getByte(offset + VirtioNetHeader.FLAGS_OFFSET);
        return gso != VirtioNetHeader.GSO_NONE || (flags & VirtioNetHeader.F_NEEDS_CSUM) == 0
                || VirtioFeatures.has(features, VirtioFeatures.GUEST_CSUM) || PartialChecksum.complete(buf, offset, length);
    }

    @Override
    protected int write(ByteBuf buf, int offset, int length) {
        return FAILED; // every frame goes through queue(), on the loop that decided it
    }

    @Override
    public boolean tryTake() {
        return LOCK.compareAndSet(this, 0, 1);
    }

    @Override
    public void take() {
        while (!LOCK.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    @Override
    public void release(int stripe) {
        if (rx.flush() && rxCallFd >= 0) {
            signal(rxCallFd);
        }
        // release: what this loop wrote to the ring and the port is seen by the next holder
        LOCK.setRelease(this, 0);
    }

    private void unlock() {
        LOCK.setRelease(this, 0);
    }

    /** Writes a BPDU (no virtio-net header) to the guest from the port's loop, one frame, under the queue's lock. */
    @Override
    public void sendControlFrame(byte[] frame) {
        if (closed || frame.length + FdPort.HEADROOM + VirtioNetHeader.SIZE > LoopContext.BUFFER_SIZE) {
            return;
        }
        execute(() -> {
            ByteBuf buf = owner.buffer();
            buf.setZero(FdPort.HEADROOM, VirtioNetHeader.SIZE);
            buf.setBytes(FdPort.HEADROOM + VirtioNetHeader.SIZE, frame);
            take();
            try {
                if (!rxOpen) {
                    return;
                }
                int r = rx.push(buf.memoryAddress() + FdPort.HEADROOM, VirtioNetHeader.SIZE + frame.length);
                if (r >= 0) {
                    counted(SENT, frame.length, owner.stripe());
                    counters().increment(owner.stripe(), PortCounters.TX_BPDUS);
                } else {
                    counted(FULL, 0, owner.stripe());
                }
            } finally {
                release(owner.stripe());
            }
        });
    }

    // ---- frames from the guest: the port's loop ----

    /** Reads what the guest transmitted, within one read budget, and hands it to the bridge. */
    private void drainTx() {
        LoopContext ctx = owner;
        ctx.tick();
        ByteBuf buf = ctx.buffer();
        long at = buf.memoryAddress() + FdPort.HEADROOM;
        int capacity = LoopContext.BUFFER_SIZE - FdPort.HEADROOM;
        long bytesEnd = ctx.receivedBytes() + FdPort.READ_BUDGET_BYTES;
        int n = 0;
        boolean more = false;
        try {
            while (txOpen) {
                if (n == FdPort.READ_BUDGET || ctx.receivedBytes() >= bytesEnd) {
                    more = true;
                    break;
                }
                int r = tx.pop(at, capacity);
                if (r == 0) {
                    break;
                }
                if (r < 0) {
                    counters().increment(ctx.stripe(), PortCounters.drop(DropReason.GUEST_ERROR));
                    guestFault(r, "transmit");
                    break;
                }
                n++;
                Bridge b = bridge();
                if (b != null) {
                    b.receive(this, buf, FdPort.HEADROOM, r, ctx);
                }
            }
            if (tx.flush() && txCallFd >= 0) {
                signal(txCallFd);
            }
        } finally {
            ctx.egress().flush(ctx.stripe());
        }
        // the budget ran out, or the guest added frames while we asked it to kick again: come back
        // after the loop's other ports have had their turn. Busy polling comes back always, and
        // the guest is asked not to kick at all
        if (txOpen && (busyPoll || more || tx.enableNotification())) {
            if (busyPoll) {
                tx.disableNotification();
            }
            execute(drainTx);
        }
    }

    private void signal(int fd) {
        LibC.write(fd, eventAddress + 8, 8);
    }

    /** The guest's transmit kick: an eventfd on the port's loop. */
    private final class TxKick implements EpollIoHandle {
        private final FileDescriptor fd;
        private IoRegistration registration;

        TxKick(int fd) {
            this.fd = new FileDescriptor(fd);
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            LibC.read(fd.intValue(), eventAddress, 8); // level-triggered: the counter must be read to zero
            drainTx();
        }

        void stop() {
            IoRegistration r = registration;
            if (r != null) {
                r.cancel(); // cancel before close: a reused number must not collide in Netty's map
            }
            closeFd(fd.intValue());
        }

        @Override
        public void close() {
            // the port closes the descriptor
        }
    }

    // ---- the frontend's requests: the port's loop ----

    @Override
    public long offeredFeatures() {
        return OFFERED;
    }

    @Override
    public long offeredProtocolFeatures() {
        return OFFERED_PROTOCOL;
    }

    @Override
    public void features(long acked) throws VhostProtocolException {
        if ((acked & ~OFFERED) != 0) {
            throw new VhostProtocolException("features " + VirtioFeatures.names(acked & ~OFFERED) + " were not offered");
        }
        tx.features(acked);
        take();
        try {
            rx.features(acked);
            negotiated = acked;
        } finally {
            unlock();
        }
    }

    @Override
    public void protocolFeatures(long acked) throws VhostProtocolException {
        if ((acked & ~OFFERED_PROTOCOL) != 0) {
            throw new VhostProtocolException("protocol features 0x" + Long.toHexString(acked & ~OFFERED_PROTOCOL)
                    + " were not offered");
        }
    }

    @Override
    public void memoryTable(MemoryRegion[] regions, int[] fds) throws VhostProtocolException {
        useMemory(GuestMemory.map(regions, fds));
    }

    @Override
    public void addRegion(MemoryRegion region, int fd) throws VhostProtocolException {
        useMemory(memory.withRegion(region, fd));
    }

    @Override
    public void removeRegion(MemoryRegion region) throws VhostProtocolException {
        useMemory(memory.withoutRegion(region));
    }

    /**
     * Moves both queues to a new memory table, then unmaps what the old one alone mapped: the
     * receive queue moves under its lock, so no loop is still writing through the old table.
     */
    private void useMemory(GuestMemory next) {
        GuestMemory old = memory;
        memory = next;
        int txResult = started[TX] ? tx.remap(next) : 0;
        int rxResult = 0;
        take();
        try {
            if (started[RX]) {
                rxResult = rx.remap(next);
            }
        } finally {
            unlock();
        }
        old.unmapNotIn(next);
        if (txResult != 0) {
            setUpFault(txResult, TX);
        } else if (rxResult != 0) {
            setUpFault(rxResult, RX);
        }
    }

    @Override
    public void vringNum(int index, int n) throws VhostProtocolException {
        num[queue(index)] = n;
    }

    @Override
    public void vringAddress(VringAddress a) throws VhostProtocolException {
        address[queue(a.index())] = a;
    }

    @Override
    public void vringBase(int index, int b) throws VhostProtocolException {
        base[queue(index)] = b;
    }

    @Override
    public int stopVring(int index) throws VhostProtocolException {
        int q = queue(index);
        int next;
        if (q == TX) {
            stopKick();
            tx.flush();
            next = started[TX] ? tx.stop() : base[TX];
        } else {
            take();
            try {
                rxOpen = false;
                if (rx.flush() && rxCallFd >= 0) {
                    signal(rxCallFd);
                }
                next = started[RX] ? rx.stop() : base[RX];
            } finally {
                unlock();
            }
        }
        started[q] = false;
        if (!started[RX] && !started[TX]) {
            guestRestarted(); // the driver stopped the device: what it does next is a fresh start
        }
        follow();
        return next;
    }

    @Override
    public void vringKick(int index, int fd) throws VhostProtocolException {
        int q = queue(index);
        if (fd < 0) {
            throw new VhostProtocolException("queue " + index + " without a kick descriptor: polling is not supported");
        }
        if (address[q] == null || num[q] == 0) {
            closeFd(fd);
            throw new VhostProtocolException("queue " + index + " kicked before its size and address were set");
        }
        int result;
        if (q == TX) {
            stopKick();
            result = tx.start(memory, num[TX], address[TX], base[TX]);
        } else {
            closeFd(fd); // the guest's receive kicks (buffers added) are not waited for: a full queue drops
            take();
            try {
                result = rx.start(memory, num[RX], address[RX], base[RX]);
            } finally {
                unlock();
            }
        }
        if (result != 0) {
            if (q == TX) {
                closeFd(fd);
            }
            setUpFault(result, q);
            throw new VhostProtocolException("queue " + index + ": " + GuestError.of(result).description());
        }
        started[q] = true;
        if (q == TX) {
            startKick(fd);
        }
        follow();
    }

    private void startKick(int fd) {
        TxKick k = new TxKick(fd);
        kick = k;
        loop.register(k).addListener(f -> {
            if (f.isSuccess()) {
                IoRegistration r = (IoRegistration) f.getNow();
                k.registration = r;
                r.submit(EpollIoOps.EPOLLIN);
            } else {
                LOG.warning(this + ": cannot watch the guest's transmit queue: " + f.cause());
            }
        });
    }

    private void stopKick() {
        TxKick k = kick;
        kick = null;
        if (k != null) {
            k.stop();
        }
    }

    @Override
    public void vringCall(int index, int fd) throws VhostProtocolException {
        int q = queue(index);
        if (q == TX) {
            int old = txCallFd;
            txCallFd = fd;
            closeFd(old);
        } else {
            int old;
            take();
            try {
                old = rxCallFd;
                rxCallFd = fd;
            } finally {
                unlock();
            }
            closeFd(old);
        }
    }

    @Override
    public void vringErr(int index, int fd) throws VhostProtocolException {
        int q = queue(index);
        int old = errFd[q];
        errFd[q] = fd;
        closeFd(old);
    }

    @Override
    public void vringEnable(int index, boolean enable) throws VhostProtocolException {
        enabled[queue(index)] = enable;
        follow();
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public void reset() {
        stopAll();
        LOG.info(this + ": the frontend reset the device");
    }

    @Override
    public void disconnected() {
        stopAll();
        LOG.info(this + ": the frontend went away; the port is absent until one connects");
    }

    /** Forgets everything the frontend set up: queues, descriptors, memory, features, a guest error. */
    private void stopAll() {
        stopKick();
        take();
        try {
            rxOpen = false;
            rx.stop();
            closeFd(rxCallFd);
            rxCallFd = -1;
        } finally {
            unlock();
        }
        tx.stop();
        txOpen = false;
        closeFd(txCallFd);
        txCallFd = -1;
        for (int q = 0; q < 2; q++) {
            started[q] = false;
            enabled[q] = false;
            num[q] = 0;
            address[q] = null;
            base[q] = 0;
            closeFd(errFd[q]);
            errFd[q] = -1;
        }
        memory.unmap();
        memory = GuestMemory.EMPTY;
        negotiated = 0;
        guestRestarted();
        follow();
    }

    /** Opens or closes the port to frames as the queues' states say, and tells the bridge. */
    private void follow() {
        boolean faulted = guestErrorDetail() != null;
        boolean rxUp = started[RX] && enabled[RX] && !faulted;
        boolean txUp = started[TX] && enabled[TX] && !faulted;
        if (rxUp != rxOpen) {
            take();
            rxOpen = rxUp;
            unlock();
        }
        boolean wasOpen = txOpen;
        txOpen = txUp;
        if (txUp && !wasOpen) {
            execute(drainTx); // what the guest queued before the queue was enabled
        }
        boolean up = rxUp && txUp;
        if (up != attached()) {
            attached(up);
            Bridge b = bridge();
            if (b != null) {
                if (!up) {
                    b.forget(this);
                }
                b.portsChanged();
            }
            LOG.info(this + (up ? ": the guest's queues are up, features " + VirtioFeatures.names(negotiated)
                    : ": absent"));
        }
    }

    /**
     * The guest broke a rule of its rings: the port goes down with the reason until the frontend
     * starts over. Any loop; once per error, not per frame.
     */
    private void guestFault(int code, String where) {
        GuestError e = GuestError.of(code);
        rxOpen = false;
        if (loop.inEventLoop()) {
            txOpen = false;
        } else {
            execute(() -> txOpen = false);
        }
        String what = e.reason() + " on the " + where + " queue (" + e.description() + ")";
        if (guestErrorDetail() == null) {
            LOG.warning(this + ": the guest broke the virtio rules: " + what
                    + "; the port is down until the frontend reconnects or resets the device");
        }
        guestError(what);
        Bridge b = bridge();
        if (b != null) {
            b.forget(this);
            b.portsChanged();
        }
    }

    /**
     * The frontend set a queue up against the rules (its rings outside the memory table): counted
     * once as a guest-error drop, like a broken frame, so the counter and the metric an operator
     * watches see every guest error, and the port goes down. On the port's loop.
     */
    private void setUpFault(int code, int q) {
        counters().increment(owner.stripe(), PortCounters.drop(DropReason.GUEST_ERROR));
        guestFault(code, q == TX ? "transmit" : "receive");
    }

    private static int queue(int index) throws VhostProtocolException {
        if (index != RX && index != TX) {
            throw new VhostProtocolException("queue " + index + ": this device has one queue pair (0 and 1)");
        }
        return index;
    }

    private static void closeFd(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException stopping) {
            // the loops are shutting down with the daemon
        }
    }

    /**
     * Stops serving the socket and forgets the frontend: on the port's loop while it runs (the
     * frontend's requests are handled there), else here.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Runnable stop = () -> {
            if (endpoint != null) {
                endpoint.close();
            }
            stopAll();
            event.release();
            if (scratch != null) {
                scratch.release();
            }
        };
        if (loop.inEventLoop() || loop.isShuttingDown()) {
            stop.run();
            return;
        }
        try {
            loop.submit(stop).syncUninterruptibly();
        } catch (RejectedExecutionException stopping) {
            stop.run();
        }
    }

    @Override
    public void closeDescriptor() {
        close();
    }
}

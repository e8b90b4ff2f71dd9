package io.switchd.dataplane;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.switchd.port.FdPort;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The forwarding threads: one Netty epoll event loop per core, each with its own {@link LoopContext}.
 * Port descriptors are spread over the loops and registered through Netty's IoHandle API.
 */
public final class DataPlane implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DataPlane.class.getName());

    private final MultiThreadIoEventLoopGroup group;
    private final IoEventLoop[] loops;
    private final LoopContext[] contexts;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray beats;
    private final boolean busyPoll;
    /**
     * Runs what waits for quiescence. Closing a TAP descriptor unregisters its interface, which
     * takes the kernel tens of milliseconds: on a loop, every port of that loop would stall.
     */
    private final ExecutorService closer = Executors.newSingleThreadExecutor(
            new DefaultThreadFactory("switchd-closer", true));
    /** Without a control plane to tell, a port whose interface is gone just leaves forwarding. */
    private volatile Consumer<FdPort> lostPorts = FdPort::retire;

    /** Starts {@code threads} loops (0: one per core) that sleep in epoll_wait between frames. */
    public DataPlane(int threads) {
        this(threads, false, 0);
    }

    /**
     * Starts {@code threads} loops (0: one per core). With {@code busyPoll} a loop never sleeps:
     * it polls epoll without a timeout, trading a core per loop for the wake-up latency. Otherwise
     * a loop keeps polling for {@code spinNanos} after its last frame before it sleeps again.
     */
    public DataPlane(int threads, boolean busyPoll, long spinNanos) {
        Epoll.ensureAvailability();
        this.busyPoll = busyPoll;
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        long spin = busyPoll ? SpinThenSleepStrategy.FOREVER : spinNanos;
        SelectStrategyFactory strategy = () -> new SpinThenSleepStrategy(spin);
        group = new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("switchd-loop", false),
                EpollIoHandler.newFactory(0, strategy));
        List<IoEventLoop> list = new ArrayList<>();
        for (EventExecutor e : group) {
            list.add((IoEventLoop) e);
        }
        loops = list.toArray(new IoEventLoop[0]);
        beats = new AtomicLongArray(loops.length);
        contexts = new LoopContext[loops.length];
        for (int i = 0; i < loops.length; i++) {
            contexts[i] = new LoopContext(i, PooledByteBufAllocator.DEFAULT.directBuffer(
                    LoopContext.BUFFER_SIZE, LoopContext.BUFFER_SIZE));
        }
    }

    /** How many counter stripes a counter set needs: one per loop and one for the maintenance thread. */
    public int stripes() {
        return loops.length + 1;
    }

    /** Whether the loops never sleep: ports that can be polled (vhost-user rings) are, without wake-ups. */
    public boolean busyPoll() {
        return busyPoll;
    }

    /** How many forwarding loops run. */
    public int loopCount() {
        return loops.length;
    }

    /** Forwarding loop {@code i}, for tasks that must run on it. */
    public IoEventLoop loop(int i) {
        return loops[i];
    }

    /** Each loop's BPDUs on their way to the spanning tree's thread. */
    public List<BpduInbox> bpduInboxes() {
        List<BpduInbox> out = new ArrayList<>();
        for (LoopContext c : contexts) {
            out.add(c.bpdus());
        }
        return out;
    }

    /** The loop a new port goes to: the next one, round robin. */
    public int assign() {
        return Math.floorMod(next.getAndIncrement(), loops.length);
    }

    /** What loop {@code i} owns: its buffer, counter stripe and batches. Touch it only on that loop. */
    public LoopContext context(int i) {
        return contexts[i];
    }

    /** Puts a port's descriptor on the next loop, round robin, and starts reading it. */
    public void register(FdPort port) {
        int i = assign();
        IoEventLoop loop = loops[i];
        port.bind(contexts[i], this);
        IoRegistration registration = loop.register(port).syncUninterruptibly().getNow();
        loop.submit(() -> {
            registration.submit(EpollIoOps.EPOLLIN);
            port.registered(registration);
        }).syncUninterruptibly();
    }

    /**
     * Tells {@code listener} of each port whose loop found its interface gone and stopped reading
     * it; called on that loop, so it must hand the work to another thread.
     */
    public void onPortLost(Consumer<FdPort> listener) {
        this.lostPorts = listener;
    }

    /** Called by a port's loop once it has stopped reading a port whose interface is gone. */
    public void portLost(FdPort port) {
        lostPorts.accept(port);
    }

    /** Puts a control descriptor (the link monitor) on the first loop and starts reading it. */
    public IoRegistration registerControl(EpollIoHandle handle) {
        IoEventLoop loop = loops[0];
        IoRegistration registration = loop.register(handle).syncUninterruptibly().getNow();
        loop.submit(() -> registration.submit(EpollIoOps.EPOLLIN)).syncUninterruptibly();
        return registration;
    }

    /**
     * Runs {@code action} once every loop has finished what it was doing: after that, no loop
     * still holds a port set or descriptor published before this call. It runs on a thread of its
     * own, never on a loop, in the order the calls were made.
     */
    public void afterQuiescence(Runnable action) {
        AtomicInteger remaining = new AtomicInteger(loops.length);
        Runnable step = () -> {
            if (remaining.decrementAndGet() == 0) {
                offLoop(action);
            }
        };
        for (IoEventLoop loop : loops) {
            try {
                loop.execute(step);
            } catch (RejectedExecutionException e) {
                step.run(); // the loop has stopped: it holds nothing
            }
        }
    }

    private void offLoop(Runnable action) {
        try {
            closer.execute(action);
        } catch (RejectedExecutionException e) {
            action.run(); // the plane is closed: nothing is left to wait for
        }
    }

    /**
     * Waits until every loop has finished what it was doing, and with it every action handed to
     * {@link #afterQuiescence} before this call (a removed port's descriptor is closed, so its
     * interface name is free again); gives up after {@code timeout}.
     */
    public boolean awaitQuiescence(java.time.Duration timeout) {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        afterQuiescence(done::countDown);
        try {
            return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Asks every loop to record that it is alive, and says whether each did within the last
     * {@code maxAgeMillis}: a loop stuck in a frame, or blocked, stops answering.
     */
    public boolean heartbeat(long maxAgeMillis) {
        long now = MonotonicClock.millis();
        boolean alive = true;
        for (int i = 0; i < loops.length; i++) {
            int index = i;
            if (now - beats.get(i) > maxAgeMillis && beats.get(i) != 0) {
                alive = false;
            }
            try {
                loops[i].execute(() -> beats.set(index, MonotonicClock.millis()));
            } catch (RejectedExecutionException e) {
                alive = false;
            }
        }
        return alive;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        closer.shutdown(); // what the loops handed over still runs: no descriptor is left open
        try {
            closer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (LoopContext c : contexts) {
            c.buffer().release();
        }
        LOG.fine("forwarding loops stopped");
    }
}

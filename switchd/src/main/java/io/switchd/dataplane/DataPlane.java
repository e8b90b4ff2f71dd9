package io.switchd.dataplane;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.switchd.port.FdPort;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
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

    /** How many forwarding loops run. */
    public int loopCount() {
        return loops.length;
    }

    /** Forwarding loop {@code i}, for tasks that must run on it. */
    public IoEventLoop loop(int i) {
        return loops[i];
    }

    /** Puts a port's descriptor on the next loop, round robin, and starts reading it. */
    public void register(FdPort port) {
        int i = Math.floorMod(next.getAndIncrement(), loops.length);
        IoEventLoop loop = loops[i];
        port.bind(contexts[i], this);
        IoRegistration registration = loop.register(port).syncUninterruptibly().getNow();
        loop.submit(() -> {
            registration.submit(EpollIoOps.EPOLLIN);
            port.registered(registration);
        }).syncUninterruptibly();
    }

    /**
     * Runs {@code action} once every loop has finished what it was doing: after that, no loop
     * still holds a port set or descriptor published before this call.
     */
    public void afterQuiescence(Runnable action) {
        AtomicInteger remaining = new AtomicInteger(loops.length);
        Runnable step = () -> {
            if (remaining.decrementAndGet() == 0) {
                action.run();
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
        for (LoopContext c : contexts) {
            c.buffer().release();
        }
        LOG.fine("forwarding loops stopped");
    }
}

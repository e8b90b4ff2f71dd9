package io.switchd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.bridge.Bridge;
import io.switchd.config.PortStpConfig;
import io.switchd.config.StpConfig;
import io.switchd.dataplane.BpduInbox;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.port.Port;
import io.switchd.port.PortState;
import io.switchd.stp.Bpdu;
import io.switchd.stp.BpduStatus;
import io.switchd.stp.BridgeId;
import io.switchd.stp.PortId;
import io.switchd.stp.RstpBridge;
import io.switchd.stp.RstpListener;
import io.switchd.stp.RstpStatus;
import io.switchd.stp.StpChanges;
import io.switchd.stp.StpState;
import io.switchd.sys.Interfaces;
import io.switchd.sys.LinkSpeed;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The spanning trees of every bridge that runs one, on one thread of their own: it reads the
 * BPDUs the loops handed over, moves the protocol's clock, tells each tree of its ports going up
 * and down, and carries out what the trees ask (send a BPDU, set a port's state, flush a port).
 * Everything else talks to it by queueing work on that thread.
 *
 * <p>A tree's port number is its bridge index plus one, so a port whose interface is opened again
 * (the same index) stays the same port of the tree; ports beyond 4095 take no part.
 */
final class SpanningTree implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpanningTree.class.getName());
    /** How often the thread wakes: BPDUs wait at most this long, the timers' seconds are counted from it. */
    static final long TICK_MILLIS = 100;

    private final List<BpduInbox> inboxes;
    private final ScheduledExecutorService thread;
    /** Changed on the tree's thread only; read by metrics too. */
    private final Map<Bridge, Tree> trees = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    SpanningTree(List<BpduInbox> inboxes) {
        this.inboxes = List.copyOf(inboxes);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchd-stp");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Brings {@code bridge}'s tree in line with its settings {@code stp} and its ports' ({@code ports},
     * by bridge index): starts or stops the tree, adds and removes ports, applies what changed.
     */
    void update(Bridge bridge, StpConfig stp, Map<Integer, PortStpConfig> ports) {
        Map<Integer, PortStpConfig> copy = Map.copyOf(ports);
        run(() -> {
            Tree t = trees.get(bridge);
            if (!stp.enabled()) {
                trees.remove(bridge);
                return;
            }
            if (t == null) {
                t = new Tree(bridge, fallbackBridgeMac());
                trees.put(bridge, t);
                LOG.info("bridge " + bridge.name() + ": " + stp.mode().label() + " started");
            }
            t.apply(stp, copy);
        });
    }

    /** Stops {@code bridge}'s tree, the bridge being deleted. */
    void remove(Bridge bridge) {
        run(() -> trees.remove(bridge));
    }

    /** The picture of {@code bridge}'s tree, or empty when it runs none; waits for the tree's thread. */
    Optional<RstpStatus> status(Bridge bridge) {
        try {
            return thread.submit(() -> {
                Tree t = trees.get(bridge);
                return Optional.ofNullable(t == null ? null : t.rstp.status(MonotonicClock.millis()));
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            return Optional.empty();
        }
    }

    /**
     * How many topology changes and changes of root {@code bridge}'s tree has seen, as of the last
     * tick; zeros when it runs none. Any thread.
     */
    StpChanges changes(Bridge bridge) {
        Tree t = trees.get(bridge);
        return t == null ? StpChanges.NONE : t.changes;
    }

    /** BPDUs {@code bridge}'s tree ignored for {@code why} (malformed, expired, on a port out of the tree); any thread. */
    long ignored(Bridge bridge, BpduStatus why) {
        Tree t = trees.get(bridge);
        return t == null ? 0 : t.ignored.get(why.ordinal());
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private void run(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "spanning tree: " + e.getMessage(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the daemon is stopping
        }
    }

    /** One wake-up: BPDUs in, link changes, the clock. */
    private void tick() {
        try {
            for (BpduInbox inbox : inboxes) {
                inbox.drain(this::received);
            }
            long now = MonotonicClock.millis();
            for (Tree t : trees.values()) {
                t.followLinks();
                t.rstp.tick(now);
                t.count();
            }
        } catch (RuntimeException e) {
            // one bad turn must not end the thread, and with it every tree
            LOG.log(Level.WARNING, "spanning tree: " + e.getMessage(), e);
        }
    }

    private void received(Port port, ByteBuf frame, int offset, int length) {
        Tree t = trees.get(port.bridge());
        int number = port.index() + 1;
        if (t != null && t.enabled.containsKey(number)) {
            BpduStatus status = t.rstp.receive(number, frame, offset, length);
            if (status != BpduStatus.VALID) {
                t.ignored.incrementAndGet(status.ordinal());
            }
        }
    }

    /**
     * A bridge address for a tree while none of its ports has an address we can read (no port yet,
     * or only ports outside our namespace): random, locally administered, with its low 12 bits
     * clear so that such ports' BPDUs can come from it plus the port number.
     */
    private long fallbackBridgeMac() {
        long mac = random.nextLong() & 0xFFFF_FFFF_F000L;
        return (mac | 0x0200_0000_0000L) & ~0x0100_0000_0000L;
    }

    /** One bridge's tree and what it knows of the bridge's ports. */
    private static final class Tree implements RstpListener {
        final Bridge bridge;
        final long fallbackMac;
        /** Each port's interface address, where we could read it, by port number. */
        final Map<Integer, Long> portMacs = new HashMap<>();
        final RstpBridge rstp;
        StpConfig settings;
        volatile StpChanges changes = StpChanges.NONE;
        final AtomicLongArray ignored = new AtomicLongArray(BpduStatus.values().length);
        final Map<Integer, PortStpConfig> ports = new HashMap<>();
        /** Whether each port was last reported up, by port number. */
        final Map<Integer, Boolean> enabled = new TreeMap<>();

        Tree(Bridge bridge, long fallbackMac) {
            this.bridge = bridge;
            this.fallbackMac = fallbackMac;
            this.rstp = new RstpBridge(fallbackMac, this, Unpooled.buffer(Bpdu.MIN_FRAME_LENGTH * 2), MonotonicClock.millis());
        }

        void apply(StpConfig next, Map<Integer, PortStpConfig> nextPorts) {
            if (settings == null || settings.mode() != next.mode()) {
                rstp.setMode(next.mode());
            }
            if (settings == null || settings.priority() != next.priority()) {
                rstp.setPriority(next.priority());
            }
            if (settings == null || settings.helloTime() != next.helloTime() || settings.maxAge() != next.maxAge()
                    || settings.forwardDelay() != next.forwardDelay()) {
                rstp.setTimes(next.helloTime(), next.maxAge(), next.forwardDelay());
            }
            settings = next;
            for (Integer index : List.copyOf(ports.keySet())) {
                if (!nextPorts.containsKey(index)) {
                    ports.remove(index);
                    enabled.remove(index + 1);
                    portMacs.remove(index + 1);
                    rstp.removePort(index + 1);
                }
            }
            for (Map.Entry<Integer, PortStpConfig> e : nextPorts.entrySet()) {
                int number = e.getKey() + 1;
                if (number > PortId.MAX_NUMBER) {
                    continue;
                }
                PortStpConfig old = ports.get(e.getKey());
                PortStpConfig c = e.getValue();
                if (old == null) {
                    rstp.addPort(number, fallbackMac | number);
                    enabled.put(number, false);
                    readAddress(number);
                }
                if (old == null || old.cost() != c.cost()) {
                    rstp.setPortCost(number, c.cost());
                }
                if (old == null || old.priority() != c.priority()) {
                    rstp.setPortPriority(number, c.priority());
                }
                if (old == null || old.edge() != c.edge()) {
                    rstp.setPortEdge(number, c.edge());
                }
                if (old == null || old.bpduGuard() != c.bpduGuard()) {
                    rstp.setBpduGuard(number, c.bpduGuard());
                }
                if (old == null || old.rootGuard() != c.rootGuard()) {
                    rstp.setRootGuard(number, c.rootGuard());
                }
                ports.put(e.getKey(), c);
            }
            followBridgeAddress();
            followLinks();
        }

        /**
         * Takes port {@code number}'s interface address, when we can read it, as the source of its
         * BPDUs and as a candidate for the bridge address.
         */
        private void readAddress(int number) {
            Port p = bridge.portAt(number - 1);
            long mac = p == null ? -1 : Interfaces.macAddress(p.name());
            if (mac > 0) {
                portMacs.put(number, mac);
                rstp.setPortAddress(number, mac);
            }
        }

        /**
         * Keeps the bridge address at the lowest of its ports' addresses, as the kernel bridge and
         * Open vSwitch choose theirs: stable across restarts while the ports are, and unique
         * between bridges and hosts because interface addresses are.
         */
        private void followBridgeAddress() {
            long lowest = Long.MAX_VALUE;
            for (long mac : portMacs.values()) {
                lowest = Math.min(lowest, mac);
            }
            rstp.setAddress(lowest == Long.MAX_VALUE ? fallbackMac : lowest);
        }

        /** Publishes the tree's counts for metrics, when they moved. */
        void count() {
            if (changes.topology() != rstp.topologyChanges() || changes.root() != rstp.rootChanges()) {
                changes = new StpChanges(rstp.topologyChanges(), rstp.rootChanges());
            }
        }

        /** Tells the tree of each port that came up or went down since the last look. */
        void followLinks() {
            for (Map.Entry<Integer, Boolean> e : enabled.entrySet()) {
                Port p = bridge.portAt(e.getKey() - 1);
                boolean up = p != null && p.state() == PortState.UP;
                if (up != e.getValue()) {
                    e.setValue(up);
                    // the link's speed and duplex may have changed while it was down, and its
                    // address when its interface came back
                    LinkSpeed speed = up ? Interfaces.speed(p.name()) : LinkSpeed.UNKNOWN;
                    if (up) {
                        rstp.setPortSpeed(e.getKey(), speed.megabitsPerSecond());
                        readAddress(e.getKey());
                        followBridgeAddress();
                    }
                    rstp.portEnabled(e.getKey(), up, speed.pointToPoint());
                }
            }
        }

        @Override
        public void transmit(int port, ByteBuf frame, int offset, int length) {
            Port p = bridge.portAt(port - 1);
            if (p != null) {
                byte[] bytes = new byte[length];
                frame.getBytes(offset, bytes);
                p.sendControlFrame(bytes);
            }
        }

        @Override
        public void stateChanged(int port, StpState state) {
            Port p = bridge.portAt(port - 1);
            if (p != null) {
                bridge.stpState(p, state);
            }
        }

        @Override
        public void flush(int port) {
            Port p = bridge.portAt(port - 1);
            if (p != null) {
                bridge.forget(p);
            }
        }

        @Override
        public void bpduGuardTripped(int port, OptionalLong sender) {
            Port p = bridge.portAt(port - 1);
            String from = sender.isPresent() ? " from bridge " + BridgeId.format(sender.getAsLong()) : "";
            LOG.warning("bridge " + bridge.name() + ": port " + (p == null ? "#" + port : p.name())
                    + " heard a BPDU" + from + " with bpdu-guard on: it is down until an operator sets it up again"
                    + " (switchctl port set " + bridge.name() + " " + (p == null ? "PORT" : p.name()) + " up)");
            if (p != null) {
                p.guardDown();
                bridge.forget(p);
                bridge.portsChanged();
            }
        }
    }
}

package io.switchd.stp;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The rapid spanning tree protocol (IEEE 802.1D-2004 clause 17) for one bridge: it hears BPDUs,
 * elects the root, gives each port its role and state and sends BPDUs, falling back to 802.1D
 * (STP) on a port where an 802.1D bridge speaks, or everywhere in {@link StpMode#STP}.
 *
 * <p>Plain Java with no thread of its own: one thread calls every method, and what the bridge
 * wants done (send a BPDU, change a port's state, flush a port's addresses) it asks of its
 * {@link RstpListener} from inside those calls. Time only moves through {@link #tick}, so a
 * test drives it with a fake clock.
 *
 * <p>Beyond 802.1D-2004: an edge port can be edge from link-up ({@link EdgeMode}); root guard is
 * 802.1Q-2011's restrictedRole; BPDU guard takes a port out on the first BPDU; and a few fixes
 * 802.1Q made to the 2004 text are applied where the comments say so. Two departures of our
 * own, in {@link RstpPort}'s Port Transmit: the periodic BPDU does not count against the
 * transmit hold count, and a root port speaking STP sends TCNs only while a change is on.
 *
 * <p>{@link #status} too belongs to the protocol's thread; the data path learns each port's
 * state from {@link RstpListener#stateChanged}.
 */
public final class RstpBridge {
    /** Passes after which the machines are taken not to settle; none has been seen to need more than a few. */
    private static final int MAX_PASSES = 1000;
    /** How much missed time a late tick makes up for: enough for every timer to run out. */
    private static final long MAX_CATCH_UP_SECONDS = 3600;

    private long mac;
    private final RstpListener listener;
    private final ByteBuf transmitBuffer;
    private final Bpdu decoded = new Bpdu();
    private final TreeMap<Integer, RstpPort> ports = new TreeMap<>();

    private StpMode mode = StpMode.RSTP;
    private long bridgeId;
    private StpTimes bridgeTimes = StpTimes.bridge(2, 20, 15);
    private PriorityVector rootPriority;
    private int rootPortId;
    private StpTimes rootTimes = bridgeTimes;

    private long now;
    private long lastSecond;
    private long rootChanges;
    private long topologyChanges;
    private long lastTopologyChange = -1;
    private long unsettled;

    /**
     * A bridge with address {@code mac}, priority 32768, RSTP and 802.1D's default times; it has no
     * ports yet. BPDUs are written into {@code transmitBuffer} (at least 60 bytes) to be sent.
     */
    public RstpBridge(long mac, RstpListener listener, ByteBuf transmitBuffer, long nowMillis) {
        if (transmitBuffer.capacity() < Bpdu.MIN_FRAME_LENGTH) {
            throw new IllegalArgumentException("the transmit buffer holds " + transmitBuffer.capacity()
                    + " bytes; a BPDU needs " + Bpdu.MIN_FRAME_LENGTH);
        }
        this.mac = mac;
        this.listener = listener;
        this.transmitBuffer = transmitBuffer;
        this.bridgeId = BridgeId.of(BridgeId.DEFAULT_PRIORITY, 0, mac);
        this.rootPriority = PriorityVector.ofBridge(bridgeId);
        this.now = nowMillis;
        this.lastSecond = nowMillis;
    }

    // ---- configuration ----

    /** STP or RSTP. A change starts the protocol over on every port (BEGIN). */
    public void setMode(StpMode value) {
        if (value == mode) {
            return;
        }
        mode = value;
        for (RstpPort p : ports.values()) {
            p.begin();
        }
        run();
    }

    /** The bridge priority, 0 to 61440 in steps of 4096 (17.13.7); the tree is recomputed. */
    public void setPriority(int priority) {
        bridgeId = BridgeId.of(priority, 0, mac);
        reselectAll();
    }

    /**
     * A new bridge address (the bridge id's low 48 bits), keeping the priority: the tree is
     * recomputed, as for a new priority. The kernel bridge does the same when its lowest port
     * address changes.
     */
    public void setAddress(long value) {
        if (value == mac) {
            return;
        }
        mac = value;
        bridgeId = BridgeId.of(BridgeId.priority(bridgeId), 0, mac);
        reselectAll();
    }

    /** The bridge address in use. */
    public long address() {
        return mac;
    }

    /** Port {@code port}'s BPDUs come from {@code portMac} from now on. */
    public void setPortAddress(int port, long portMac) {
        port(port).mac = portMac;
    }

    /** Hello time, max age and forward delay in seconds, used while this bridge is root (17.13). */
    public void setTimes(int helloTime, int maxAge, int forwardDelay) {
        bridgeTimes = StpTimes.bridge(helloTime, maxAge, forwardDelay);
        reselectAll();
    }

    /** Adds port {@code number} (1 to 4095), whose BPDUs come from {@code portMac}; it starts down. */
    public void addPort(int number, long portMac) {
        if (ports.containsKey(number)) {
            throw new IllegalArgumentException("port " + number + " is already in the bridge");
        }
        RstpPort p = new RstpPort(this, number, portMac);
        ports.put(number, p);
        p.begin();
        run();
    }

    public void removePort(int number) {
        if (ports.remove(number) != null) {
            reselectAll();
        }
    }

    /** Port priority, 0 to 240 in steps of 16 (17.13.10). */
    public void setPortPriority(int port, int priority) {
        port(port).priority(priority);
        reselectAll();
    }

    /** Port path cost, 1 to 200,000,000, or 0 for the link speed's (17.13.11, table 17-3). */
    public void setPortCost(int port, long cost) {
        port(port).adminCost(cost);
        reselectAll();
    }

    /** The link's speed in Mb/s (0 or less: unknown), for an automatic path cost. */
    public void setPortSpeed(int port, long megabitsPerSecond) {
        port(port).speed(megabitsPerSecond);
        reselectAll();
    }

    public void setPortEdge(int port, EdgeMode edge) {
        port(port).edge(edge);
        run();
    }

    public void setBpduGuard(int port, boolean on) {
        port(port).bpduGuard(on);
    }

    /** Root guard: the port is never root port; superior information keeps it alternate. */
    public void setRootGuard(int port, boolean on) {
        port(port).rootGuard(on);
        reselectAll();
    }

    // ---- events ----

    /**
     * The port's link came up or went down (or its admin state changed); {@code pointToPoint}
     * says whether only one other bridge can be on it, which RSTP's fast agreements need.
     * Enabling a port BPDU guard took out brings it back.
     */
    public void portEnabled(int port, boolean enabled, boolean pointToPoint) {
        port(port).enable(enabled, pointToPoint);
        run();
    }

    /**
     * A frame sent to the bridge group address arrived on {@code port}: the Ethernet frame of
     * {@code length} bytes at {@code offset}. Returns what became of it.
     */
    public BpduStatus receive(int port, ByteBuf frame, int offset, int length) {
        BpduStatus status = decoded.decode(frame, offset, length);
        if (status != BpduStatus.VALID) {
            return status;
        }
        RstpPort p = ports.get(port);
        if (p == null) {
            return BpduStatus.PORT_DISABLED;
        }
        status = p.accept(decoded);
        run();
        return status;
    }

    /**
     * Moves the clock to {@code nowMillis} (monotonic): every whole second passed is one tick of
     * the port timers (17.22), after which the machines run.
     */
    public void tick(long nowMillis) {
        now = nowMillis;
        long seconds = (nowMillis - lastSecond) / 1000;
        if (seconds > MAX_CATCH_UP_SECONDS) {
            lastSecond += (seconds - MAX_CATCH_UP_SECONDS) * 1000;
            seconds = MAX_CATCH_UP_SECONDS;
        }
        for (long i = 0; i < seconds; i++) {
            lastSecond += 1000;
            for (RstpPort p : ports.values()) {
                p.tick();
            }
            run();
        }
    }

    // ---- what it shows ----

    public RstpStatus status(long nowMillis) {
        List<RstpStatus.Port> list = new ArrayList<>(ports.size());
        for (RstpPort p : ports.values()) {
            list.add(p.status());
        }
        long since = lastTopologyChange < 0 ? -1 : Math.max(0, nowMillis - lastTopologyChange) / 1000;
        return new RstpStatus(mode, bridgeId, rootPriority.rootId(), rootPortId == 0 ? 0 : PortId.number(rootPortId),
                rootPriority.rootPathCost(), rootChanges, topologyChanges, since, List.copyOf(list));
    }

    /** Topology changes this bridge has started or heard of, as {@link #status} counts them. */
    public long topologyChanges() {
        return topologyChanges;
    }

    /** How often another bridge became the root, as {@link #status} counts it. */
    public long rootChanges() {
        return rootChanges;
    }

    /** Each port's state, for the data path. */
    public StpState state(int port) {
        return port(port).state();
    }

    /** How often the machines had not settled after {@link #MAX_PASSES}; anything but 0 is a bug. */
    public long unsettled() {
        return unsettled;
    }

    // ---- the machines ----

    /** Steps every machine until none moves. */
    private void run() {
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            boolean moved = selectRoles();
            for (RstpPort p : ports.values()) {
                moved |= p.stepReceive();
                moved |= p.stepMigration();
                moved |= p.stepDetection();
                moved |= p.stepInformation();
                moved |= p.stepTransitions();
                moved |= p.stepState();
                moved |= p.stepTopologyChange();
                moved |= p.stepTransmit();
            }
            if (!moved) {
                return;
            }
        }
        unsettled++;
    }

    private void reselectAll() {
        for (RstpPort p : ports.values()) {
            p.reselect = true;
            p.selected = false;
        }
        run();
    }

    /** 17.28 Port Role Selection: ROLE_SELECTION, entered again whenever a port asks to reselect. */
    private boolean selectRoles() {
        boolean reselect = false;
        for (RstpPort p : ports.values()) {
            reselect |= p.reselect;
        }
        if (!reselect) {
            return false;
        }
        for (RstpPort p : ports.values()) {
            p.reselect = false;
        }
        updtRolesTree();
        for (RstpPort p : ports.values()) {
            p.selected = true;
        }
        return true;
    }

    /** 17.21.25 updtRolesTree(): the root, the way to it, and every port's role. */
    private void updtRolesTree() {
        PriorityVector best = PriorityVector.ofBridge(bridgeId);
        RstpPort rootPort = null;
        StpTimes times = bridgeTimes;
        for (RstpPort p : ports.values()) {
            // root guard: never root port (802.1Q restrictedRole); our own BPDUs come back: no path
            if (!p.infoReceived() || p.rootGuard()
                    || BridgeId.mac(p.portPriority.designatedBridgeId()) == BridgeId.mac(bridgeId)) {
                continue;
            }
            PriorityVector path = p.portPriority.plusCost(p.cost());
            int c = path.compareTo(best);
            if (c < 0 || (c == 0 && rootPort != null && p.portId < rootPort.portId)) {
                best = path;
                rootPort = p;
                times = p.portTimes.older();
            }
        }
        // a new address of our own while we are root (a port with a lower address joined) is
        // not a change of root: the same bridge stays root
        boolean stillUs = rootPortId == 0 && rootPort == null;
        if (!stillUs && BridgeId.mac(best.rootId()) != BridgeId.mac(rootPriority.rootId())) {
            rootChanges++;
        }
        rootPriority = best;
        rootPortId = rootPort == null ? 0 : rootPort.portId;
        rootTimes = times;
        for (RstpPort p : ports.values()) {
            p.designatedPriority = new PriorityVector(best.rootId(), best.rootPathCost(), bridgeId, p.portId);
            p.designatedTimes = times.withHelloTime(bridgeTimes.helloTime());
        }
        for (RstpPort p : ports.values()) {
            p.selectRole(rootPort);
        }
    }

    // ---- what the ports ask of the bridge ----

    boolean rstpVersion() {
        return mode == StpMode.RSTP;
    }

    long bridgeId() {
        return bridgeId;
    }

    StpTimes bridgeTimes() {
        return bridgeTimes;
    }

    StpTimes rootTimes() {
        return rootTimes;
    }

    RstpListener listener() {
        return listener;
    }

    void send(RstpPort port, Bpdu bpdu) {
        int length = bpdu.encode(transmitBuffer, 0, port.mac);
        listener.transmit(port.number, transmitBuffer, 0, length);
    }

    /** 17.20.3 allSynced. */
    boolean allSynced() {
        for (RstpPort p : ports.values()) {
            if (!p.selected || p.role != p.selectedRole || (p.role != PortRole.ROOT && !p.synced)) {
                return false;
            }
        }
        return true;
    }

    /** 17.20.10 reRooted: no other port is still a recent root port. */
    boolean reRooted(RstpPort port) {
        for (RstpPort p : ports.values()) {
            if (p != port && p.rrWhile != 0) {
                return false;
            }
        }
        return true;
    }

    /** 17.21.14 setSyncTree(). */
    void setSyncTree() {
        for (RstpPort p : ports.values()) {
            p.sync = true;
        }
    }

    /** 17.21.15 setReRootTree(). */
    void setReRootTree() {
        for (RstpPort p : ports.values()) {
            p.reRoot = true;
        }
    }

    /** 17.21.18 setTcPropTree(): every port but the one the change came from. */
    void setTcPropTree(RstpPort port) {
        for (RstpPort p : ports.values()) {
            if (p != port) {
                p.tcProp = true;
            }
        }
    }

    /**
     * A port started announcing a topology change: counted once for the whole bridge, unless
     * another port is already announcing one.
     */
    void topologyChangeStarted(RstpPort port) {
        for (RstpPort p : ports.values()) {
            if (p != port && p.tcWhile != 0) {
                return;
            }
        }
        topologyChanges++;
        lastTopologyChange = now;
    }

    private RstpPort port(int number) {
        RstpPort p = ports.get(number);
        if (p == null) {
            throw new IllegalArgumentException("no port " + number + " in the bridge");
        }
        return p;
    }
}

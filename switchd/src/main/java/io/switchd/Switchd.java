package io.switchd;

import io.switchd.api.model.BridgeInfo;
import io.switchd.api.model.FdbEntry;
import io.switchd.api.model.PortChange;
import io.switchd.api.model.PortInfo;
import io.switchd.api.model.PortStats;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.PortConfig;
import io.switchd.config.PortType;
import io.switchd.config.StaticMac;
import io.switchd.config.SwitchdConfig;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.frame.MacAddress;
import io.switchd.port.AbsentPort;
import io.switchd.port.DropReason;
import io.switchd.port.FdPort;
import io.switchd.port.PacketSocketPort;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.PortPolicy;
import io.switchd.port.PortState;
import io.switchd.port.TapPort;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.SysException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running switch: the forwarding loops, the bridges with their ports, and the maintenance thread
 * that ages the MAC tables. Built from a validated configuration and changed at run time through
 * the operations below (the control API calls them, one at a time); closing it closes every
 * descriptor and removes the TAP interfaces it created.
 */
public final class Switchd implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Switchd.class.getName());

    private final SwitchdConfig config;
    private final DataPlane dataPlane;
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private final Map<String, PortConfig> portConfigs = new LinkedHashMap<>();
    private final ScheduledExecutorService maintenance;
    private final long startedMillis = MonotonicClock.millis();
    private volatile Runnable onChange = () -> { };
    private volatile boolean closed;

    private Switchd(SwitchdConfig config, DataPlane dataPlane) {
        this.config = config;
        this.dataPlane = dataPlane;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchd-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the loops, creates every bridge and attaches every port that can be attached now. */
    public static Switchd start(SwitchdConfig config) {
        Switchd s = new Switchd(config, new DataPlane(config.threads(), config.busyPoll(), config.spinBeforeSleep().toNanos()));
        try {
            synchronized (s) {
                for (BridgeConfig bc : config.bridges()) {
                    s.createBridge(bc);
                }
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.maintenance.scheduleWithFixedDelay(s::age, 1, 1, TimeUnit.SECONDS);
        LOG.info("switchd running: " + s.bridges.size() + " bridge(s), " + s.dataPlane.loopCount()
                + " forwarding loop(s)" + (config.busyPoll() ? ", busy polling" : ""));
        return s;
    }

    /** Runs {@code action} after every change made through the operations below (the state file). */
    public void onChange(Runnable action) {
        this.onChange = action;
    }

    private void createBridge(BridgeConfig bc) {
        Bridge bridge = new Bridge(bc, dataPlane.stripes());
        bridges.put(bc.name(), bridge);
        for (PortConfig pc : bc.ports()) {
            attach(bridge, pc, open(pc));
        }
        for (StaticMac sm : bc.staticMacs()) {
            Port port = bridge.port(sm.port());
            if (!bridge.fdb().putStatic(FdbKey.of(sm.vlan(), sm.mac()), port.index())) {
                LOG.warning("bridge " + bc.name() + ": MAC table full, static entry " + MacAddress.format(sm.mac())
                        + " not added");
            }
        }
        LOG.info("bridge " + bc.name() + " ready: " + bc.ports().size() + " port(s), ageing "
                + bc.ageingTime().toSeconds() + " s, table size " + bc.macTableSize());
    }

    private void attach(Bridge bridge, PortConfig pc, Port port) {
        portConfigs.put(pc.name(), pc);
        port.policy(pc.policy());
        bridge.add(port);
        if (port instanceof FdPort fdPort) {
            dataPlane.register(fdPort);
            if (!pc.adminUp()) {
                port.state(PortState.ADMIN_DOWN);
            }
            bridge.portsChanged();
            LOG.info("bridge " + bridge.name() + ": " + port + " " + port.state().displayName() + " (mtu "
                    + port.mtu() + ")");
        }
    }

    private Port open(PortConfig pc) {
        int stripes = dataPlane.stripes();
        try {
            return openOrThrow(pc);
        } catch (SysException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new StartupException("cannot open " + pc.type().configName() + " port " + pc.name() + ": "
                        + e.getMessage() + "; switchd needs CAP_NET_ADMIN and CAP_NET_RAW (run it as root or "
                        + "under its systemd unit)");
            }
            LOG.warning(pc.type().configName() + " port " + pc.name() + " is absent: " + e.getMessage()
                    + "; the rest of the switch runs");
            return new AbsentPort(pc.name(), pc.type(), stripes);
        }
    }

    private Port openOrThrow(PortConfig pc) throws SysException {
        int stripes = dataPlane.stripes();
        if (pc.type() == PortType.TAP) {
            return TapPort.open(pc.name(), pc.persistent(), stripes);
        }
        return PacketSocketPort.open(pc.name(), stripes);
    }

    // ---- operations (the control API) ----

    /** Adds an empty bridge with the configuration's bridge defaults. */
    public synchronized BridgeInfo addBridge(String name) throws ControlException {
        if (name == null || name.isEmpty()) {
            throw ControlException.badRequest("a bridge needs a name");
        }
        if (bridges.containsKey(name)) {
            throw ControlException.conflict("bridge " + name + " exists already");
        }
        BridgeConfig bc;
        try {
            bc = ConfigLoader.newBridge(config, name);
        } catch (ConfigError e) {
            throw ControlException.badRequest(e.problem());
        }
        createBridge(bc);
        changed();
        return bridgeInfo(name);
    }

    /** Deletes a bridge and all its ports. */
    public synchronized void deleteBridge(String name) throws ControlException {
        Bridge b = bridge(name, true);
        for (Port p : b.ports()) {
            detach(b, p);
        }
        bridges.remove(name);
        LOG.info("bridge " + name + " deleted");
        changed();
    }

    /**
     * Adds a port at run time: a TAP port creates (or opens) its interface; a netdev port needs its
     * interface to exist.
     */
    public synchronized PortInfo addPort(String bridgeName, String name, PortType type, boolean persistent)
            throws ControlException {
        Bridge b = bridge(bridgeName, true);
        if (name == null || !ConfigLoader.isInterfaceName(name)) {
            throw ControlException.badRequest("not a Linux interface name (1 to 15 characters, no '/', ':' or spaces): "
                    + name);
        }
        for (Bridge other : bridges.values()) {
            if (other.port(name) != null) {
                throw ControlException.conflict("port " + name + " is already attached to bridge " + other.name());
            }
        }
        if (persistent && type != PortType.TAP) {
            throw ControlException.badRequest("only tap ports can be persistent");
        }
        if (type == PortType.NETDEV && !Interfaces.exists(name)) {
            throw ControlException.conflict("interface " + name + " does not exist");
        }
        PortConfig pc = new PortConfig(name, type, persistent, true);
        Port port;
        try {
            port = openOrThrow(pc);
        } catch (SysException e) {
            throw ControlException.conflict("cannot attach " + name + ": " + e.getMessage());
        }
        attach(b, pc, port);
        changed();
        return portInfo(b, port);
    }

    /** Deletes a port; a TAP interface that switchd created goes with it. */
    public synchronized void deletePort(String bridgeName, String name) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        detach(b, port(b, name));
        LOG.info("bridge " + bridgeName + ": port " + name + " deleted");
        changed();
    }

    private void detach(Bridge b, Port p) {
        if (p instanceof TapPort tap) {
            tap.removeInterfaceOnClose();
        }
        if (p instanceof FdPort f) {
            f.retire(PortState.DOWN);
        }
        b.remove(p);
        int index = p.index();
        dataPlane.afterQuiescence(() -> b.release(index));
        portConfigs.remove(p.name());
    }

    /** Changes a port's administrative state and forwarding settings; what the change leaves out stays. */
    public synchronized PortInfo changePort(String bridgeName, String name, PortChange change) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        Port p = port(b, name);
        PortConfig pc = portConfigs.get(name);
        PortPolicy policy;
        try {
            policy = PortSettings.apply(p.policy(), change);
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest(e.getMessage());
        }
        Boolean up = null;
        if (change.admin() != null) {
            String admin = change.admin().toLowerCase(java.util.Locale.ROOT);
            if (!admin.equals("up") && !admin.equals("down")) {
                throw ControlException.badRequest("admin must be up or down, not \"" + change.admin() + "\"");
            }
            up = admin.equals("up");
        }
        boolean vlansChanged = PortSettings.vlansDiffer(p.policy(), policy);
        p.policy(policy);
        if (vlansChanged || !policy.learning() || policy.locked()) {
            b.forget(p); // entries learned under the old settings would be wrong now
        }
        if (up != null) {
            PortState s = p.state();
            if (up && s == PortState.ADMIN_DOWN) {
                p.state(PortState.UP);
            } else if (!up && s == PortState.UP) {
                p.state(PortState.ADMIN_DOWN);
                b.forget(p);
            }
            b.portsChanged();
            pc = pc.withAdminUp(up);
        }
        portConfigs.put(name, pc.withPolicy(policy));
        changed();
        return portInfo(b, p);
    }

    /** Adds or replaces a static MAC table entry. */
    public synchronized FdbEntry addStatic(String bridgeName, String macText, int vlan, String portName)
            throws ControlException {
        Bridge b = bridge(bridgeName, true);
        long mac = parseMac(macText);
        if (MacAddress.isGroup(mac) || mac == 0) {
            throw ControlException.badRequest(macText + " is a group or all-zero address; static entries are unicast");
        }
        checkVlan(vlan);
        Port p = port(b, portName);
        if (!b.fdb().putStatic(FdbKey.of(vlan, mac), p.index())) {
            throw ControlException.conflict("the MAC table of bridge " + bridgeName + " is full");
        }
        changed();
        return new FdbEntry(bridgeName, p.name(), vlan, MacAddress.format(mac), "static", 0);
    }

    /** Deletes one MAC table entry, learned or static. */
    public synchronized void deleteFdb(String bridgeName, String macText, int vlan) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        long mac = parseMac(macText);
        checkVlan(vlan);
        if (!b.fdb().remove(FdbKey.of(vlan, mac))) {
            throw ControlException.notFound("no entry for " + MacAddress.format(mac) + " in VLAN " + vlan
                    + " on bridge " + bridgeName);
        }
        changed();
    }

    /** Flushes a bridge's learned entries, or one port's; static ones too when asked. */
    public synchronized int flush(String bridgeName, String portName, boolean includeStatic) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        int port = portName == null ? -1 : port(b, portName).index();
        int removed = b.fdb().flush(port, includeStatic);
        if (includeStatic) {
            changed();
        }
        return removed;
    }

    // ---- views ----

    /** Every bridge. */
    public synchronized List<BridgeInfo> bridgeInfos() {
        List<BridgeInfo> out = new ArrayList<>();
        for (Map.Entry<String, Bridge> e : bridges.entrySet()) {
            out.add(bridgeInfo(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** One bridge. */
    public synchronized BridgeInfo bridgeInfo(String name) throws ControlException {
        Bridge b = bridge(name, true);
        return bridgeInfo(name, b);
    }

    private BridgeInfo bridgeInfo(String name, Bridge b) {
        List<String> ports = new ArrayList<>();
        for (Port p : b.ports()) {
            ports.add(p.name());
        }
        BridgeConfig c = b.config();
        return new BridgeInfo(name, ports, c.ageingTime().toSeconds(), c.macTableSize(), c.groupForwardMask(),
                b.fdb().size(MonotonicClock.millis()));
    }

    /** The ports of one bridge, or of all when {@code bridgeName} is null. */
    public synchronized List<PortInfo> portInfos(String bridgeName) throws ControlException {
        List<PortInfo> out = new ArrayList<>();
        for (Bridge b : selected(bridgeName)) {
            for (Port p : b.ports()) {
                out.add(portInfo(b, p));
            }
        }
        return out;
    }

    /** One port. */
    public synchronized PortInfo portInfo(String bridgeName, String name) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        return portInfo(b, port(b, name));
    }

    private PortInfo portInfo(Bridge b, Port p) {
        PortConfig pc = portConfigs.get(p.name());
        return PortSettings.info(b.name(), p, pc != null && pc.persistent());
    }

    /** MAC table entries of one bridge (or all), filtered by port, VLAN and MAC when given. */
    public synchronized List<FdbEntry> fdb(String bridgeName, String portName, Integer vlan, String macText)
            throws ControlException {
        Long mac = macText == null ? null : parseMac(macText);
        if (vlan != null) {
            checkVlan(vlan);
        }
        long now = MonotonicClock.millis();
        List<FdbEntry> out = new ArrayList<>();
        for (Bridge b : selected(bridgeName)) {
            int portIndex = -1;
            if (portName != null) {
                portIndex = port(b, portName).index();
            }
            for (MacTable.Entry e : b.fdb().entries(now)) {
                if ((portIndex >= 0 && e.port() != portIndex) || (vlan != null && e.vlan() != vlan)
                        || (mac != null && e.mac() != mac)) {
                    continue;
                }
                Port p = b.portAt(e.port());
                out.add(new FdbEntry(b.name(), p == null ? "?" : p.name(), e.vlan(), MacAddress.format(e.mac()),
                        e.isStatic() ? "static" : "learned", e.ageMillis() / 1000));
            }
        }
        out.sort((x, y) -> x.bridge().equals(y.bridge())
                ? (x.vlan() != y.vlan() ? Integer.compare(x.vlan(), y.vlan()) : x.mac().compareTo(y.mac()))
                : x.bridge().compareTo(y.bridge()));
        return out;
    }

    /** Counters of every port of one bridge (or all), or of one port. */
    public synchronized List<PortStats> stats(String bridgeName, String portName) throws ControlException {
        List<PortStats> out = new ArrayList<>();
        for (Bridge b : selected(bridgeName)) {
            List<Port> ports = portName == null ? b.ports() : List.of(port(b, portName));
            for (Port p : ports) {
                out.add(stats(b, p));
            }
        }
        return out;
    }

    private static PortStats stats(Bridge b, Port p) {
        Map<String, Long> drops = new TreeMap<>();
        for (DropReason r : DropReason.values()) {
            drops.put(r.label(), p.counters().get(PortCounters.drop(r)));
        }
        return new PortStats(b.name(), p.name(), p.counters().get(PortCounters.RX_FRAMES),
                p.counters().get(PortCounters.RX_BYTES), p.counters().get(PortCounters.TX_FRAMES),
                p.counters().get(PortCounters.TX_BYTES), drops);
    }

    /** What the API has made of the configuration: the bridges as they are now, for the state file. */
    public synchronized SwitchdConfig snapshot() {
        List<BridgeConfig> out = new ArrayList<>();
        long now = MonotonicClock.millis();
        for (Bridge b : bridges.values()) {
            List<PortConfig> ports = new ArrayList<>();
            for (Port p : b.ports()) {
                ports.add(portConfigs.get(p.name()));
            }
            List<StaticMac> statics = new ArrayList<>();
            for (MacTable.Entry e : b.fdb().entries(now)) {
                Port p = b.portAt(e.port());
                if (e.isStatic() && p != null) {
                    statics.add(new StaticMac(e.mac(), e.vlan(), p.name()));
                }
            }
            BridgeConfig c = b.config();
            out.add(new BridgeConfig(b.name(), c.ageingTime(), c.macTableSize(), c.groupForwardMask(), ports, statics));
        }
        return config.withBridges(out);
    }

    /** How many ports all bridges have. */
    public synchronized int portCount() {
        return portConfigs.size();
    }

    /** Seconds since start. */
    public long uptimeSeconds() {
        return (MonotonicClock.millis() - startedMillis) / 1000;
    }

    private List<Bridge> selected(String bridgeName) throws ControlException {
        return bridgeName == null ? new ArrayList<>(bridges.values()) : List.of(bridge(bridgeName, true));
    }

    private Bridge bridge(String name, boolean mustExist) throws ControlException {
        Bridge b = bridges.get(name);
        if (b == null && mustExist) {
            throw ControlException.notFound("no bridge " + name);
        }
        return b;
    }

    private static Port port(Bridge b, String name) throws ControlException {
        Port p = name == null ? null : b.port(name);
        if (p == null) {
            throw ControlException.notFound("no port " + name + " on bridge " + b.name());
        }
        return p;
    }

    private static long parseMac(String text) throws ControlException {
        if (text == null) {
            throw ControlException.badRequest("a MAC address is needed");
        }
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest("\"" + text + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
    }

    private static void checkVlan(int vlan) throws ControlException {
        if (vlan < 0 || vlan > 4094) {
            throw ControlException.badRequest("VLAN must be 0 to 4094, not " + vlan);
        }
    }

    private void changed() {
        onChange.run();
    }

    private void age() {
        long now = MonotonicClock.millis();
        for (Bridge b : bridges()) {
            try {
                b.fdb().age(now);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "ageing bridge " + b.name() + " failed", e);
            }
        }
    }

    /** The bridge named {@code name}, or null. */
    public synchronized Bridge bridge(String name) {
        return bridges.get(name);
    }

    /** Every bridge, in configuration order. */
    public synchronized List<Bridge> bridges() {
        return new ArrayList<>(bridges.values());
    }

    /** The data plane, for its loops and stripe numbers. */
    public DataPlane dataPlane() {
        return dataPlane;
    }

    /** The configuration the daemon started with. */
    public SwitchdConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        List<FdPort> open = new ArrayList<>();
        for (Bridge b : bridges.values()) {
            for (Port p : b.ports()) {
                if (p instanceof FdPort f && !f.retired()) {
                    f.retire(PortState.DOWN);
                    open.add(f);
                }
            }
        }
        dataPlane.close();
        for (FdPort f : open) {
            f.closeDescriptor();
            if (f instanceof TapPort t && !t.persistent()) {
                LOG.info("removed " + t);
            }
        }
        LOG.info("switchd stopped");
    }
}

package io.switchd;

import io.switchd.api.model.BridgeInfo;
import io.switchd.api.model.FdbEntry;
import io.switchd.api.model.PortChange;
import io.switchd.api.model.PortInfo;
import io.switchd.api.model.PortStats;
import io.switchd.api.model.ReloadChange;
import io.switchd.api.model.ReloadSummary;
import io.switchd.api.model.StpInfo;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.ConfigMerge;
import io.switchd.config.PortConfig;
import io.switchd.config.PortStpConfig;
import io.switchd.config.PortType;
import io.switchd.config.StaticMac;
import io.switchd.config.SwitchdConfig;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.link.LinkMonitor;
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
import io.switchd.stp.BpduStatus;
import io.switchd.stp.RstpStatus;
import io.switchd.stp.StpChanges;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.SysException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final long KERNEL_DROPS_SECONDS = 10;

    private volatile SwitchdConfig config;
    private final Path configFile;
    private final DataPlane dataPlane;
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private final Map<String, PortConfig> portConfigs = new LinkedHashMap<>();
    private final ScheduledExecutorService maintenance;
    private final long startedMillis = MonotonicClock.millis();
    private final LinkFollower follower;
    private final SpanningTree spanningTree;
    private LinkMonitor linkMonitor;
    private volatile Runnable onChange = () -> { };
    private volatile boolean closed;

    private Switchd(SwitchdConfig config, Path configFile, DataPlane dataPlane) {
        this.config = config;
        this.configFile = configFile;
        this.dataPlane = dataPlane;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchd-maintenance");
            t.setDaemon(true);
            return t;
        });
        this.follower = new LinkFollower(this, maintenance);
        this.spanningTree = new SpanningTree(dataPlane.bpduInboxes());
        dataPlane.onPortLost(follower::portLost);
    }

    /** Starts the loops, creates every bridge and attaches every port that can be attached now. */
    public static Switchd start(SwitchdConfig config) {
        return start(config, null, config.bridges());
    }

    /**
     * Starts with {@code bridges} (the config file's merged with the state file's) in place of the
     * config file's own, which stay the base that later reloads compare the config file with, and
     * what the API may not delete; {@code configFile} names that file in its refusals.
     */
    public static Switchd start(SwitchdConfig config, Path configFile, List<BridgeConfig> bridges) {
        Switchd s = new Switchd(config, configFile,
                new DataPlane(config.threads(), config.busyPoll(), config.spinBeforeSleep().toNanos()));
        try {
            // Subscribed before any port opens, so no change between opening and listening is missed.
            s.followLinks();
            synchronized (s) {
                for (BridgeConfig bc : bridges) {
                    s.createBridge(bc);
                }
            }
            s.follower.followAll();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.maintenance.scheduleWithFixedDelay(s::age, 1, 1, TimeUnit.SECONDS);
        // often enough that the kernel's 32-bit packet-socket drop count cannot wrap in between
        s.maintenance.scheduleWithFixedDelay(s::collectKernelDrops, KERNEL_DROPS_SECONDS, KERNEL_DROPS_SECONDS,
                TimeUnit.SECONDS);
        LOG.info("switchd running: " + s.bridges.size() + " bridge(s), " + s.dataPlane.loopCount()
                + " forwarding loop(s)" + (config.busyPoll() ? ", busy polling" : ""));
        return s;
    }

    private void followLinks() {
        try {
            linkMonitor = LinkMonitor.open(follower);
            linkMonitor.registered(dataPlane.registerControl(linkMonitor));
        } catch (SysException e) {
            LOG.warning("cannot follow link changes (" + e.getMessage() + "); ports will not notice their interfaces "
                    + "going down, away or coming back");
        }
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
        stpUpdate(bridge);
        LOG.info("bridge " + bc.name() + " ready: " + bc.ports().size() + " port(s), ageing "
                + bc.ageingTime().toSeconds() + " s, table size " + bc.macTableSize());
    }

    private void attach(Bridge bridge, PortConfig pc, Port port) {
        portConfigs.put(pc.name(), pc);
        port.policy(pc.policy());
        bridge.add(port);
        port.adminUp(pc.adminUp());
        if (port instanceof FdPort fdPort) {
            dataPlane.register(fdPort);
            Boolean up = Interfaces.operational(port.name());
            port.linkUp(up == null || up);
            bridge.portsChanged();
            LOG.info("bridge " + bridge.name() + ": " + port + " " + port.state().displayName() + " (mtu "
                    + port.mtu() + ")");
        }
        stpUpdate(bridge);
    }

    /** Tells the spanning tree thread the bridge's settings and its ports' as they are now. */
    private void stpUpdate(Bridge bridge) {
        Map<Integer, PortStpConfig> ports = new HashMap<>();
        for (Port p : bridge.ports()) {
            PortConfig pc = portConfigs.get(p.name());
            ports.put(p.index(), pc == null ? PortStpConfig.DEFAULT : pc.stp());
        }
        spanningTree.update(bridge, bridge.config().stp(), ports);
    }

    private Port open(PortConfig pc) {
        int stripes = dataPlane.stripes();
        try {
            return openOrThrow(pc);
        } catch (SysException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                // EACCES is a file's mode, which the exception explains; EPERM is a missing capability
                String hint = e.errno() == Errno.EPERM
                        ? "; switchd needs CAP_NET_ADMIN and CAP_NET_RAW (run it as root or under its systemd unit)"
                        : "";
                throw new StartupException("cannot open " + pc.type().configName() + " port " + pc.name() + ": "
                        + e.getMessage() + hint);
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

    /** Deletes a bridge and all its ports, unless the config file declares it. */
    public synchronized void deleteBridge(String name) throws ControlException {
        Bridge b = bridge(name, true);
        declarations().checkBridgeDeletion(name);
        removeBridge(b);
        changed();
    }

    private void removeBridge(Bridge b) {
        for (Port p : b.ports()) {
            detach(b, p);
        }
        bridges.remove(b.name());
        spanningTree.remove(b);
        LOG.info("bridge " + b.name() + " deleted");
    }

    /**
     * Adds a port at run time: a TAP port creates (or opens) its interface; a netdev port needs its
     * interface to exist. {@code owner} (null for none) labels who added it.
     */
    public synchronized PortInfo addPort(String bridgeName, String name, PortType type, boolean persistent,
                                         String owner) throws ControlException {
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
        PortConfig pc = new PortConfig(name, type, persistent, true, PortPolicy.DEFAULT, owner);
        Port port;
        try {
            try {
                port = openOrThrow(pc);
            } catch (SysException e) {
                if (e.errno() != Errno.EBUSY || !dataPlane.awaitQuiescence(java.time.Duration.ofSeconds(5))) {
                    throw e;
                }
                // A port of that name was just deleted and its TAP descriptor is still being closed
                // (after the loops let go of it): once it is, the name is free.
                port = openOrThrow(pc);
            }
        } catch (SysException e) {
            throw ControlException.conflict("cannot attach " + name + ": " + e.getMessage());
        }
        attach(b, pc, port);
        changed();
        return portInfo(b, port);
    }

    /**
     * Deletes a port the API added, only if it was added by {@code owner} when that is given; a TAP
     * interface that switchd created goes with it. A port the config file declares stays.
     */
    public synchronized void deletePort(String bridgeName, String name, String owner) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        Port p = port(b, name);
        declarations().checkPortDeletion(bridgeName, portConfigs.get(name), owner);
        detach(b, p);
        LOG.info("bridge " + bridgeName + ": port " + name + " deleted");
        changed();
    }

    private void detach(Bridge b, Port p) {
        if (p instanceof TapPort tap) {
            tap.removeInterfaceOnClose();
        }
        if (p instanceof FdPort f) {
            f.retire();
        }
        b.remove(p);
        int index = p.index();
        dataPlane.afterQuiescence(() -> b.release(index));
        portConfigs.remove(p.name());
        stpUpdate(b);
    }

    /** Changes a port's administrative state and forwarding settings; what the change leaves out stays. */
    public synchronized PortInfo changePort(String bridgeName, String name, PortChange change) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        Port p = port(b, name);
        PortConfig pc = portConfigs.get(name);
        PortPolicy policy;
        PortStpConfig stp;
        try {
            policy = PortSettings.apply(p.policy(), change);
            stp = PortSettings.apply(pc.stp(), change);
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
        if (Boolean.TRUE.equals(up)) {
            p.release(); // only the operator's word ends BPDU guard's hold on a port
        }
        reconfigure(b, p, policy, up);
        if (up != null) {
            pc = pc.withAdminUp(up);
        }
        portConfigs.put(name, pc.withPolicy(policy).withStp(stp));
        stpUpdate(b);
        changed();
        return portInfo(b, p);
    }

    /** Gives a port the config file declares its settings and administrative state from there again. */
    public synchronized PortInfo resetPort(String bridgeName, String name) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        Port p = port(b, name);
        PortConfig declared = declarations().port(bridgeName, name);
        if (declared == null) {
            throw ControlException.conflict("port " + bridgeName + "/" + name + " was added through the API: it has no "
                    + "settings in the config file to go back to");
        }
        reconfigure(b, p, declared.policy(), declared.adminUp());
        portConfigs.put(name, portConfigs.get(name).withPolicy(declared.policy()).withAdminUp(declared.adminUp())
                .withStp(declared.stp()));
        stpUpdate(b);
        changed();
        return portInfo(b, p);
    }

    /** Gives a port other forwarding settings and, unless {@code up} is null, an administrative state, in place. */
    private static void reconfigure(Bridge b, Port p, PortPolicy policy, Boolean up) {
        boolean vlansChanged = PortSettings.vlansDiffer(p.policy(), policy);
        p.policy(policy);
        if (vlansChanged || !policy.learning() || policy.locked()) {
            b.forget(p); // entries learned under the old settings would be wrong now
        }
        if (up != null) {
            PortState before = p.state();
            p.adminUp(up);
            if (before == PortState.UP && p.state() != PortState.UP) {
                b.forget(p);
            }
            b.portsChanged();
        }
    }

    /**
     * Applies a new reading of the config file: merges it with what runs ({@link ConfigMerge}: the
     * API's changes stay unless the config file changed the same thing) and changes only what
     * differs, in place where it can. Ports whose settings did not change are not touched: their
     * descriptors, learned addresses and counters stay. Global settings that need a restart are
     * reported, not applied.
     */
    public synchronized ReloadSummary reload(SwitchdConfig next) {
        List<BridgeConfig> running = snapshot().bridges();
        ConfigMerge.Result merged = ConfigMerge.merge(config.bridges(), next.bridges(), running);
        for (String c : merged.conflicts()) {
            LOG.warning("reload: conflict: " + c);
        }
        ReloadPlan plan = ReloadPlan.between(running, merged.bridges());
        Applier applier = new Applier();
        List<ReloadChange> changes = new ArrayList<>();
        for (ReloadPlan.Step step : plan.steps()) {
            try {
                step.action().accept(applier);
                if (step.shown()) {
                    changes.add(step.change());
                    LOG.info("reload: " + step.change());
                }
            } catch (RuntimeException e) {
                ReloadChange c = step.change();
                LOG.log(Level.WARNING, "reload: " + c + " failed", e);
                changes.add(new ReloadChange("failed", c.kind(), c.name(), c.action() + ": " + e.getMessage()));
            }
        }
        List<String> restart = ReloadPlan.needsRestart(config, next);
        for (String r : restart) {
            LOG.warning("reload: " + r + " takes effect at the next start, not now");
        }
        SwitchdConfig old = config;
        config = new SwitchdConfig(old.threads(), old.busyPoll(), old.spinBeforeSleep(), old.control(), old.metrics(),
                old.stateFile(),
                next.bridgeDefaults(), next.bridges());
        changed();
        return new ReloadSummary(changes, merged.conflicts(), restart, plan.unchangedPorts());
    }

    /** Carries a reload's steps out on this switch, with its lock held. */
    private final class Applier implements ReloadPlan.Target {
        private boolean removed;

        @Override
        public void removePort(String bridge, String port) {
            Bridge b = bridges.get(bridge);
            detach(b, b.port(port));
            removed = true;
        }

        @Override
        public void removeBridge(String bridge) {
            Switchd.this.removeBridge(bridges.get(bridge));
            removed = true;
        }

        @Override
        public void reconfigureBridge(BridgeConfig next) {
            Bridge b = bridges.get(next.name());
            b.reconfigure(next);
            stpUpdate(b);
        }

        @Override
        public void addBridge(BridgeConfig bridge) {
            settle();
            createBridge(bridge);
        }

        @Override
        public void reconfigurePort(String bridge, PortConfig next) {
            Bridge b = bridges.get(bridge);
            reconfigure(b, b.port(next.name()), next.policy(), next.adminUp());
            portConfigs.put(next.name(), next);
            stpUpdate(b);
        }

        @Override
        public void addPort(String bridge, PortConfig port) {
            settle();
            attach(bridges.get(bridge), port, open(port));
        }

        @Override
        public void removeStatic(String bridge, StaticMac entry) {
            bridges.get(bridge).fdb().remove(FdbKey.of(entry.vlan(), entry.mac()));
        }

        @Override
        public void addStatic(String bridge, StaticMac entry) {
            Bridge b = bridges.get(bridge);
            if (!b.fdb().putStatic(FdbKey.of(entry.vlan(), entry.mac()), b.port(entry.port()).index())) {
                throw new IllegalStateException("the MAC table of bridge " + bridge + " is full");
            }
        }

        /** Before opening a port: removed ports' descriptors are closed, so their interface names are free. */
        private void settle() {
            if (removed && !dataPlane.awaitQuiescence(java.time.Duration.ofSeconds(5))) {
                LOG.warning("reload: the forwarding loops did not answer within 5 s; opening ports anyway");
            }
            removed = false;
        }
    }

    /** How many topology changes and new roots {@code bridge}'s tree has seen: zeros when it runs none. */
    public StpChanges stpChanges(Bridge bridge) {
        return spanningTree.changes(bridge);
    }

    /** BPDUs {@code bridge}'s tree ignored for {@code why}: 0 when it runs none. */
    public long stpIgnored(Bridge bridge, BpduStatus why) {
        return spanningTree.ignored(bridge, why);
    }

    /** The spanning trees of every bridge, or of {@code bridgeName}'s only, as the API shows them. */
    public List<StpInfo> stpInfos(String bridgeName) throws ControlException {
        List<Bridge> list;
        synchronized (this) {
            list = selected(bridgeName);
        }
        List<StpInfo> out = new ArrayList<>();
        for (Bridge b : list) {
            out.add(StpView.of(b, spanningTree.status(b).orElse(null)));
        }
        return out;
    }

    /**
     * The spanning tree of bridge {@code bridgeName} as it is now, empty when the bridge runs none.
     * Asks the tree's thread without holding this switch's lock.
     */
    public Optional<RstpStatus> stpStatus(String bridgeName) throws ControlException {
        Bridge b;
        synchronized (this) {
            b = bridge(bridgeName, true);
        }
        return spanningTree.status(b);
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

    /** Deletes one MAC table entry, learned or static, unless the config file declares it. */
    public synchronized void deleteFdb(String bridgeName, String macText, int vlan) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        long mac = parseMac(macText);
        checkVlan(vlan);
        declarations().checkStaticDeletion(bridgeName, vlan, mac);
        if (!b.fdb().remove(FdbKey.of(vlan, mac))) {
            throw ControlException.notFound("no entry for " + MacAddress.format(mac) + " in VLAN " + vlan
                    + " on bridge " + bridgeName);
        }
        changed();
    }

    /**
     * Flushes a bridge's learned entries, or one port's; static ones too when asked, but for those
     * the config file declares.
     */
    public synchronized int flush(String bridgeName, String portName, boolean includeStatic) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        int port = portName == null ? -1 : port(b, portName).index();
        ConfigDeclarations declared = declarations();
        int removed = b.fdb().flush(port, includeStatic,
                key -> declared.declaresStatic(bridgeName, FdbKey.vlan(key), FdbKey.mac(key)));
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
                b.fdb().size(MonotonicClock.millis()), declarations().bridgeOrigin(name));
    }

    /** The ports of one bridge, or of all when {@code bridgeName} is null. */
    public synchronized List<PortInfo> portInfos(String bridgeName) throws ControlException {
        List<PortInfo> out = new ArrayList<>();
        ConfigDeclarations declared = declarations();
        for (Bridge b : selected(bridgeName)) {
            for (Port p : b.ports()) {
                out.add(PortSettings.info(b.name(), p, portConfigs.get(p.name()), declared));
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
        return PortSettings.info(b.name(), p, portConfigs.get(p.name()), declarations());
    }

    /** What the config file as last loaded declares, which the API may override but not delete. */
    private ConfigDeclarations declarations() {
        return new ConfigDeclarations(config.bridges(), configFile);
    }

    /** The most MAC table entries one listing returns: a million of them as JSON would not fit the heap. */
    public static final int FDB_PAGE_MAX = 100_000;

    /**
     * MAC table entries of one bridge (or all), filtered by port, VLAN and MAC when given, in
     * (bridge, VLAN, MAC) order, from {@code offset} on and at most {@code limit} of them: only
     * that page is turned into API records.
     */
    public synchronized List<FdbEntry> fdb(String bridgeName, String portName, Integer vlan, String macText,
                                           int offset, int limit) throws ControlException {
        Long mac = macText == null ? null : parseMac(macText);
        if (vlan != null) {
            checkVlan(vlan);
        }
        long now = MonotonicClock.millis();
        List<FdbEntry> out = new ArrayList<>();
        int skip = offset;
        List<Bridge> chosen = new ArrayList<>(selected(bridgeName));
        chosen.sort((x, y) -> x.name().compareTo(y.name()));
        for (Bridge b : chosen) {
            int portIndex = -1;
            if (portName != null) {
                portIndex = port(b, portName).index();
            }
            List<MacTable.Entry> entries = new ArrayList<>();
            for (MacTable.Entry e : b.fdb().entries(now)) {
                if ((portIndex < 0 || e.port() == portIndex) && (vlan == null || e.vlan() == vlan)
                        && (mac == null || e.mac() == mac)) {
                    entries.add(e);
                }
            }
            if (skip >= entries.size()) {
                skip -= entries.size();
                continue;
            }
            // the text form of a MAC sorts as its number does: fixed width, lower-case hex
            entries.sort((x, y) -> x.vlan() != y.vlan() ? Integer.compare(x.vlan(), y.vlan()) : Long.compare(x.mac(), y.mac()));
            for (int i = skip; i < entries.size() && out.size() < limit; i++) {
                MacTable.Entry e = entries.get(i);
                Port p = b.portAt(e.port());
                out.add(new FdbEntry(b.name(), p == null ? "?" : p.name(), e.vlan(), MacAddress.format(e.mac()),
                        e.isStatic() ? "static" : "learned", e.ageMillis() / 1000));
            }
            skip = 0;
            if (out.size() >= limit) {
                break;
            }
        }
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
        p.collectKernelDrops();
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
            out.add(b.config().withMembers(ports, statics));
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

    private void collectKernelDrops() {
        for (Bridge b : bridges()) {
            for (Port p : b.ports()) {
                try {
                    p.collectKernelDrops();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "reading the kernel's drop count of " + p + " failed", e);
                }
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

    // ---- for the link follower, under this object's lock ----

    /** The bridges. */
    List<Bridge> bridgeList() {
        return new ArrayList<>(bridges.values());
    }

    /** The configuration of the port named {@code name}, or null. */
    PortConfig portConfig(String name) {
        return portConfigs.get(name);
    }

    /** Opens a port's interface as its configuration says. */
    Port openPort(PortConfig pc) throws SysException {
        return openOrThrow(pc);
    }

    /** Records that a port followed its interface to a new name, in the state file too. */
    void portRenamed(String old, String now) {
        PortConfig pc = portConfigs.remove(old);
        if (pc != null) {
            portConfigs.put(now, pc.withName(now));
        }
        changed();
    }

    /** The data plane, for its loops and stripe numbers. */
    public DataPlane dataPlane() {
        return dataPlane;
    }

    /**
     * The configuration file as last read (at the start or the last reload), with the global
     * settings in force: the base the next reload compares the config file with.
     */
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
        spanningTree.close();
        List<FdPort> open = new ArrayList<>();
        for (Bridge b : bridges.values()) {
            for (Port p : b.ports()) {
                if (p instanceof FdPort f && !f.retired()) {
                    f.retire();
                    open.add(f);
                }
            }
        }
        dataPlane.close();
        if (linkMonitor != null) {
            linkMonitor.closeSocket();
        }
        for (FdPort f : open) {
            f.closeDescriptor();
            if (f instanceof TapPort t && !t.persistent()) {
                LOG.info("removed " + t);
            }
        }
        LOG.info("switchd stopped");
    }
}

package io.switchd;

import io.switchd.api.model.BridgeInfo;
import io.switchd.api.model.FdbEntry;
import io.switchd.api.model.MirrorInfo;
import io.switchd.api.model.NewMirror;
import io.switchd.api.model.NewPort;
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
import io.switchd.config.SwitchdConfig;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.link.LinkMonitor;
import io.switchd.overlay.EtcdDirectory;
import io.switchd.port.FdPort;
import io.switchd.port.Port;
import io.switchd.port.PortPolicy;
import io.switchd.port.kind.PortKind;
import io.switchd.port.kind.PortKinds;
import io.switchd.port.kind.VxlanSettings;
import io.switchd.stp.BpduStatus;
import io.switchd.stp.RstpStatus;
import io.switchd.stp.StpChanges;
import io.switchd.sys.Interfaces;
import io.switchd.sys.SysException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running switch: the forwarding loops, the bridges with their ports, and the maintenance thread
 * that ages the MAC tables. Built from a validated configuration and changed at run time through
 * the operations below (the control API calls them, one at a time); closing it closes every
 * descriptor and removes the TAP interfaces it created. Its parts are elsewhere, each named for
 * its job: {@link PortOpener} opens ports through their kind ({@link io.switchd.port.kind.PortKind}),
 * {@link ReloadApplier} carries out a reload, {@link Maintenance} ages the tables, {@link ApiViews}
 * and {@link FdbOperations} build the API's views and change MAC tables.
 */
public final class Switchd implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Switchd.class.getName());

    private volatile SwitchdConfig config;
    private final Path configFile;
    private final DataPlane dataPlane;
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private final Map<String, PortConfig> portConfigs = new LinkedHashMap<>();
    private final Maintenance maintenance = new Maintenance();
    private final PortOpener opener;
    private final long startedMillis = MonotonicClock.millis();
    private final LinkFollower follower;
    private final SpanningTree spanningTree;
    private LinkMonitor linkMonitor;
    /** The etcd directory of vxlan ports; null without a switchd.etcd section (then nothing connects). */
    private final EtcdDirectory directory;
    private volatile Runnable onChange = () -> { };
    private volatile boolean closed;

    private Switchd(SwitchdConfig config, Path configFile, DataPlane dataPlane) {
        this.config = config;
        this.configFile = configFile;
        this.dataPlane = dataPlane;
        this.opener = new PortOpener(dataPlane);
        this.follower = new LinkFollower(this, maintenance.executor());
        this.spanningTree = new SpanningTree(dataPlane.bpduInboxes());
        this.directory = config.etcd() == null ? null : EtcdDirectory.start(config.etcd());
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
        s.maintenance.start(s::bridges);
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

    /** Creates a bridge as {@code bc} says, with its ports and static entries. */
    void createBridge(BridgeConfig bc) {
        Bridge bridge = new Bridge(bc, dataPlane.stripes());
        bridges.put(bc.name(), bridge);
        for (PortConfig pc : bc.ports()) {
            attach(bridge, pc, opener.openOrAbsent(pc));
        }
        FdbOperations.putStatics(bridge, bc.staticMacs());
        bridge.mirrors(bc.mirrors());
        stpUpdate(bridge);
        LOG.info("bridge " + bc.name() + " ready: " + bc.ports().size() + " port(s), ageing "
                + bc.ageingTime().toSeconds() + " s, table size " + bc.macTableSize());
    }

    /** Puts the port {@code pc} configures, opened as {@code port}, on {@code bridge}. */
    void attach(Bridge bridge, PortConfig pc, Port port) {
        portConfigs.put(pc.name(), pc);
        port.policy(pc.policy());
        bridge.add(port);
        port.adminUp(pc.adminUp());
        if (port instanceof FdPort fdPort) {
            dataPlane.register(fdPort);
            Boolean up = Interfaces.operational(port.name());
            port.linkUp(up == null || up);
            LOG.info("bridge " + bridge.name() + ": " + port + " " + port.state().displayName() + " (mtu "
                    + port.mtu() + ")");
        } else {
            LOG.info("bridge " + bridge.name() + ": " + port + " " + port.state().displayName());
        }
        io.switchd.port.kind.VxlanKind.warnMtu(bridge.name(), bridge.ports(), port);
        if (pc.kindSettings() instanceof VxlanSettings vx && vx.directory()) {
            if (directory != null) {
                directory.attach(bridge, pc.name(), vx);
            } else {
                // only a state file's port gets here: the config file and the API refuse it
                LOG.warning("bridge " + bridge.name() + ": vxlan port " + pc.name() + " asks for the etcd directory, "
                        + "but the config file has no switchd.etcd section: it floods to its remotes only");
            }
        }
        // a port that attached before it joined (a vhost-user guest that was quick) forwards now
        bridge.portsChanged();
        stpUpdate(bridge);
    }

    /** Tells the spanning tree thread the bridge's settings and its ports' as they are now. */
    void stpUpdate(Bridge bridge) {
        Map<Integer, PortStpConfig> ports = new HashMap<>();
        for (Port p : bridge.ports()) {
            PortConfig pc = portConfigs.get(p.name());
            ports.put(p.index(), pc == null ? PortStpConfig.DEFAULT : pc.stp());
        }
        spanningTree.update(bridge, bridge.config().stp(), ports);
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

    /** Takes a bridge away with its ports. */
    void removeBridge(Bridge b) {
        for (Port p : b.ports()) {
            detach(b, p);
        }
        bridges.remove(b.name());
        spanningTree.remove(b);
        LOG.info("bridge " + b.name() + " deleted");
    }

    /**
     * Adds a port at run time, of {@code kind} with the settings {@code req} gives (the kind checks
     * them: a netdev port needs its interface, a vhost-user port a socket). {@code owner} (null for
     * none) labels who added it.
     */
    public synchronized PortInfo addPort(String bridgeName, NewPort req, PortKind kind, String owner)
            throws ControlException {
        Bridge b = bridge(bridgeName, true);
        String name = ApiArgs.interfaceName(req.name());
        for (Bridge other : bridges.values()) {
            if (other.port(name) != null) {
                throw ControlException.conflict("port " + name + " is already attached to bridge " + other.name());
            }
        }
        PortConfig pc = new PortConfig(name, PortKinds.forAdd(kind, name, req), true, PortPolicy.DEFAULT, owner);
        if (directory == null && pc.kindSettings() instanceof VxlanSettings vx && vx.directory()) {
            throw ControlException.badRequest("directory etcd needs a switchd.etcd { endpoints = [...] } section in "
                    + "the config file");
        }
        PortKinds.checkExclusive(pc, portConfigs.values());
        Port port = opener.openForApi(pc);
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
        Port p = ApiArgs.port(b, name);
        declarations().checkPortDeletion(bridgeName, portConfigs.get(name), owner);
        MirrorOperations.portDeleted(b, name);
        detach(b, p);
        LOG.info("bridge " + bridgeName + ": port " + name + " deleted");
        changed();
    }

    /** Takes a port off its bridge; its kind's teardown (a TAP's interface) goes with it. */
    void detach(Bridge b, Port p) {
        if (directory != null && p.type() == PortType.VXLAN) {
            directory.detach(p.name());
        }
        PortKinds.of(p.type()).deleting(p);
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
        Port p = ApiArgs.port(b, name);
        PortConfig pc = portConfigs.get(name);
        PortPolicy policy;
        PortStpConfig stp;
        try {
            policy = PortSettings.apply(p.policy(), change);
            stp = PortSettings.apply(pc.stp(), change);
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest(e.getMessage());
        }
        Boolean up = ApiArgs.admin(change.admin());
        if (Boolean.TRUE.equals(up)) {
            p.release(); // only the operator's word ends BPDU guard's hold on a port
        }
        PortSettings.reconfigure(b, p, policy, up);
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
        Port p = ApiArgs.port(b, name);
        PortConfig declared = declarations().port(bridgeName, name);
        if (declared == null) {
            throw ControlException.conflict("port " + bridgeName + "/" + name + " was added through the API: it has no "
                    + "settings in the config file to go back to");
        }
        PortSettings.reconfigure(b, p, declared.policy(), declared.adminUp());
        portConfigs.put(name, portConfigs.get(name).withPolicy(declared.policy()).withAdminUp(declared.adminUp())
                .withStp(declared.stp()));
        stpUpdate(b);
        changed();
        return portInfo(b, p);
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
        ReloadApplier applier = new ReloadApplier(this);
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
                old.stateFile(), old.etcd(),
                next.bridgeDefaults(), next.bridges());
        changed();
        return new ReloadSummary(changes, merged.conflicts(), restart, plan.unchangedPorts());
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
        FdbEntry added = FdbOperations.addStatic(bridge(bridgeName, true), macText, vlan, portName);
        changed();
        return added;
    }

    /** Deletes one MAC table entry, learned or static, unless the config file declares it. */
    public synchronized void deleteFdb(String bridgeName, String macText, int vlan) throws ControlException {
        FdbOperations.delete(bridge(bridgeName, true), macText, vlan, declarations());
        changed();
    }

    /**
     * Flushes a bridge's learned entries, or one port's; static ones too when asked, but for those
     * the config file declares.
     */
    public synchronized int flush(String bridgeName, String portName, boolean includeStatic) throws ControlException {
        int removed = FdbOperations.flush(bridge(bridgeName, true), portName, includeStatic, declarations());
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
            out.add(ApiViews.bridge(e.getValue(), declarations()));
        }
        return out;
    }

    /** One bridge. */
    public synchronized BridgeInfo bridgeInfo(String name) throws ControlException {
        return ApiViews.bridge(bridge(name, true), declarations());
    }

    /**
     * How many static remotes (the flood list its config or the API gave) vxlan port {@code p} has;
     * -1 for a port of another kind. For the metrics: it allocates nothing.
     */
    public synchronized int staticPeers(Port p) {
        PortConfig pc = portConfigs.get(p.name());
        return pc != null && pc.kindSettings() instanceof VxlanSettings v ? v.remotes().size() : -1;
    }

    /**
     * How many other hosts the etcd directory put on vxlan port {@code p}'s flood list; -1 for a
     * port that does not take peers from the directory. For the metrics: it allocates nothing.
     */
    public synchronized int etcdPeers(Port p) {
        PortConfig pc = portConfigs.get(p.name());
        return directory != null && pc != null && pc.kindSettings() instanceof VxlanSettings v && v.directory()
                ? directory.peers().of(p.name()).size() : -1;
    }

    /** The hosts the etcd directory put on port {@code name}'s flood list; empty without a directory. */
    private List<String> etcdPeersOf(String name) {
        return directory == null ? List.of() : directory.peers().of(name);
    }

    /** The ports of one bridge, or of all when {@code bridgeName} is null. */
    public synchronized List<PortInfo> portInfos(String bridgeName) throws ControlException {
        List<PortInfo> out = new ArrayList<>();
        ConfigDeclarations declared = declarations();
        for (Bridge b : selected(bridgeName)) {
            for (Port p : b.ports()) {
                out.add(PortSettings.info(b.name(), p, portConfigs.get(p.name()), declared, etcdPeersOf(p.name())));
            }
        }
        return out;
    }

    /** One port. */
    public synchronized PortInfo portInfo(String bridgeName, String name) throws ControlException {
        Bridge b = bridge(bridgeName, true);
        return portInfo(b, ApiArgs.port(b, name));
    }

    private PortInfo portInfo(Bridge b, Port p) {
        return PortSettings.info(b.name(), p, portConfigs.get(p.name()), declarations(), etcdPeersOf(p.name()));
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
        Long mac = macText == null ? null : ApiArgs.mac(macText);
        if (vlan != null) {
            ApiArgs.checkVlan(vlan);
        }
        return ApiViews.fdb(selected(bridgeName), portName, vlan, mac, offset, limit);
    }

    /** Counters of every port of one bridge (or all), or of one port. */
    public synchronized List<PortStats> stats(String bridgeName, String portName) throws ControlException {
        List<PortStats> out = new ArrayList<>();
        for (Bridge b : selected(bridgeName)) {
            List<Port> ports = portName == null ? b.ports() : List.of(ApiArgs.port(b, portName));
            for (Port p : ports) {
                out.add(ApiViews.stats(b, p));
            }
        }
        return out;
    }

    /** The mirrors of one bridge, or of all when {@code bridgeName} is null, with their copy counts. */
    public synchronized List<MirrorInfo> mirrorInfos(String bridgeName) throws ControlException {
        return MirrorOperations.list(selected(bridgeName));
    }

    /** Adds a mirror to a bridge; a request the config file would refuse changes nothing. */
    public synchronized MirrorInfo addMirror(String bridgeName, NewMirror req) throws ControlException {
        MirrorInfo added = MirrorOperations.add(bridge(bridgeName, true), req);
        changed();
        return added;
    }

    /** Deletes a mirror the API added. */
    public synchronized void deleteMirror(String bridgeName, String name) throws ControlException {
        MirrorOperations.delete(bridge(bridgeName, true), name, declarations());
        changed();
    }

    /** What the API has made of the configuration: the bridges as they are now, for the state file. */
    public synchronized SwitchdConfig snapshot() {
        List<BridgeConfig> out = new ArrayList<>();
        for (Bridge b : bridges.values()) {
            List<PortConfig> ports = new ArrayList<>();
            for (Port p : b.ports()) {
                ports.add(portConfigs.get(p.name()));
            }
            out.add(b.config().withMembers(ports, FdbOperations.statics(b)).withMirrors(b.mirrorConfigs()));
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

    private void changed() {
        onChange.run();
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
        return opener.open(pc);
    }

    /** Opens ports as their configurations say, for a reload. */
    PortOpener opener() {
        return opener;
    }

    /** Records a port's new configuration, for a reload that changed it in place. */
    void portConfigured(PortConfig pc) {
        portConfigs.put(pc.name(), pc);
    }

    /** Records that a port followed its interface to a new name, in the state file too. */
    void portRenamed(String old, String now) {
        PortConfig pc = portConfigs.remove(old);
        if (pc != null) {
            portConfigs.put(now, pc.withName(now));
        }
        changed();
    }

    /** The etcd directory, or null when the config has none. */
    public EtcdDirectory directory() {
        return directory;
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
        if (directory != null) {
            directory.close();
        }
        maintenance.close();
        spanningTree.close();
        List<FdPort> open = new ArrayList<>();
        for (Bridge b : bridges.values()) {
            for (Port p : b.ports()) {
                if (p instanceof FdPort f && !f.retired()) {
                    f.retire();
                    open.add(f);
                } else if (!(p instanceof FdPort)) {
                    // ports whose descriptors live on the loops (a vhost-user socket) close on them
                    PortKinds.of(p.type()).closed(p);
                }
            }
        }
        dataPlane.close();
        if (linkMonitor != null) {
            linkMonitor.closeSocket();
        }
        for (FdPort f : open) {
            f.closeDescriptor();
            PortKinds.of(f.type()).closed(f);
        }
        LOG.info("switchd stopped");
    }
}

package io.switchd;

import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.PortConfig;
import io.switchd.config.PortType;
import io.switchd.config.StaticMac;
import io.switchd.config.SwitchdConfig;
import io.switchd.dataplane.DataPlane;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.FdbKey;
import io.switchd.frame.MacAddress;
import io.switchd.port.AbsentPort;
import io.switchd.port.FdPort;
import io.switchd.port.PacketSocketPort;
import io.switchd.port.Port;
import io.switchd.port.PortState;
import io.switchd.port.TapPort;
import io.switchd.sys.Errno;
import io.switchd.sys.SysException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running switch: the forwarding loops, the bridges with their ports, and the maintenance thread
 * that ages the MAC tables. Built from a validated configuration; closing it closes every
 * descriptor and removes the TAP interfaces it created.
 */
public final class Switchd implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Switchd.class.getName());

    private final DataPlane dataPlane;
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private final ScheduledExecutorService maintenance;
    private volatile boolean closed;

    private Switchd(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchd-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the loops, creates every bridge and attaches every port that can be attached now. */
    public static Switchd start(SwitchdConfig config) {
        Switchd s = new Switchd(new DataPlane(config.threads()));
        try {
            for (BridgeConfig bc : config.bridges()) {
                s.addBridge(bc);
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.maintenance.scheduleWithFixedDelay(s::age, 1, 1, TimeUnit.SECONDS);
        LOG.info("switchd running: " + s.bridges.size() + " bridge(s), " + s.dataPlane.loopCount()
                + " forwarding loop(s)");
        return s;
    }

    private void addBridge(BridgeConfig bc) {
        Bridge bridge = new Bridge(bc, dataPlane.stripes());
        bridges.put(bc.name(), bridge);
        for (PortConfig pc : bc.ports()) {
            Port port = open(pc);
            bridge.add(port);
            if (port instanceof FdPort fdPort) {
                dataPlane.register(fdPort);
                bridge.portsChanged();
                LOG.info("bridge " + bc.name() + ": " + port + " up (mtu " + port.mtu() + ")");
            }
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

    private Port open(PortConfig pc) {
        int stripes = dataPlane.stripes();
        try {
            if (pc.type() == PortType.TAP) {
                return TapPort.open(pc.name(), pc.persistent(), stripes);
            }
            return PacketSocketPort.open(pc.name(), stripes);
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

    private void age() {
        long now = MonotonicClock.millis();
        for (Bridge b : bridges.values()) {
            try {
                b.fdb().age(now);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "ageing bridge " + b.name() + " failed", e);
            }
        }
    }

    /** The bridge named {@code name}, or null. */
    public Bridge bridge(String name) {
        return bridges.get(name);
    }

    /** Every bridge, in configuration order. */
    public List<Bridge> bridges() {
        return new ArrayList<>(bridges.values());
    }

    /** The data plane, for its stripe numbers. */
    public DataPlane dataPlane() {
        return dataPlane;
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

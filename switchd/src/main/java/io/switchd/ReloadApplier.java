package io.switchd;

import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.MirrorConfig;
import io.switchd.config.PortConfig;
import io.switchd.config.StaticMac;
import io.switchd.fdb.FdbKey;

import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/** Carries a reload's steps ({@link ReloadPlan}) out on a switch, with the switch's lock held. */
final class ReloadApplier implements ReloadPlan.Target {
    private static final Logger LOG = Logger.getLogger(ReloadApplier.class.getName());

    private final Switchd switchd;
    private boolean removed;

    ReloadApplier(Switchd switchd) {
        this.switchd = switchd;
    }

    @Override
    public void removePort(String bridge, String port) {
        Bridge b = switchd.bridge(bridge);
        switchd.detach(b, b.port(port));
        removed = true;
    }

    @Override
    public void removeBridge(String bridge) {
        switchd.removeBridge(switchd.bridge(bridge));
        removed = true;
    }

    @Override
    public void reconfigureBridge(BridgeConfig next) {
        Bridge b = switchd.bridge(next.name());
        b.reconfigure(next);
        switchd.stpUpdate(b);
    }

    @Override
    public void addBridge(BridgeConfig bridge) {
        settle();
        switchd.createBridge(bridge);
    }

    @Override
    public void reconfigurePort(String bridge, PortConfig next) {
        Bridge b = switchd.bridge(bridge);
        PortSettings.reconfigure(b, b.port(next.name()), next.policy(), next.adminUp());
        switchd.portConfigured(next);
        switchd.stpUpdate(b);
    }

    @Override
    public void addPort(String bridge, PortConfig port) {
        settle();
        switchd.attach(switchd.bridge(bridge), port, switchd.opener().openOrAbsent(port));
    }

    @Override
    public void removeStatic(String bridge, StaticMac entry) {
        switchd.bridge(bridge).fdb().remove(FdbKey.of(entry.vlan(), entry.mac()));
    }

    @Override
    public void addStatic(String bridge, StaticMac entry) {
        Bridge b = switchd.bridge(bridge);
        if (!b.fdb().putStatic(FdbKey.of(entry.vlan(), entry.mac()), b.port(entry.port()).index())) {
            throw new IllegalStateException("the MAC table of bridge " + bridge + " is full");
        }
    }

    @Override
    public void mirrors(String bridge, List<MirrorConfig> mirrors) {
        switchd.bridge(bridge).mirrors(mirrors);
    }

    /** Before opening a port: removed ports' descriptors are closed, so their interface names are free. */
    private void settle() {
        if (removed && !switchd.dataPlane().awaitQuiescence(Duration.ofSeconds(5))) {
            LOG.warning("reload: the forwarding loops did not answer within 5 s; opening ports anyway");
        }
        removed = false;
    }
}

package io.switchd;

import io.switchd.api.model.FdbEntry;
import io.switchd.bridge.Bridge;
import io.switchd.config.StaticMac;
import io.switchd.control.ControlException;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.frame.MacAddress;
import io.switchd.port.Port;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/** What the API does to a bridge's MAC table: static entries added and deleted, entries flushed. */
final class FdbOperations {
    private static final Logger LOG = Logger.getLogger(FdbOperations.class.getName());

    private FdbOperations() {
    }

    /** Adds or replaces a static entry of {@code b}. */
    static FdbEntry addStatic(Bridge b, String macText, int vlan, String portName) throws ControlException {
        long mac = ApiArgs.mac(macText);
        if (MacAddress.isGroup(mac) || mac == 0) {
            throw ControlException.badRequest(macText + " is a group or all-zero address; static entries are unicast");
        }
        ApiArgs.checkVlan(vlan);
        Port p = ApiArgs.port(b, portName);
        if (!b.fdb().putStatic(FdbKey.of(vlan, mac), p.index())) {
            throw ControlException.conflict("the MAC table of bridge " + b.name() + " is full");
        }
        return new FdbEntry(b.name(), p.name(), vlan, MacAddress.format(mac), "static", 0);
    }

    /** Deletes one entry of {@code b}, learned or static, unless the config file declares it. */
    static void delete(Bridge b, String macText, int vlan, ConfigDeclarations declared) throws ControlException {
        long mac = ApiArgs.mac(macText);
        ApiArgs.checkVlan(vlan);
        declared.checkStaticDeletion(b.name(), vlan, mac);
        if (!b.fdb().remove(FdbKey.of(vlan, mac))) {
            throw ControlException.notFound("no entry for " + MacAddress.format(mac) + " in VLAN " + vlan
                    + " on bridge " + b.name());
        }
    }

    /**
     * Flushes {@code b}'s learned entries, or one port's; static ones too when asked, but for those
     * the config file declares. Returns how many went.
     */
    static int flush(Bridge b, String portName, boolean includeStatic, ConfigDeclarations declared)
            throws ControlException {
        int port = portName == null ? -1 : ApiArgs.port(b, portName).index();
        return b.fdb().flush(port, includeStatic,
                key -> declared.declaresStatic(b.name(), FdbKey.vlan(key), FdbKey.mac(key)));
    }

    /** Puts a new bridge's configured static entries in its table; says which do not fit. */
    static void putStatics(Bridge b, List<StaticMac> statics) {
        for (StaticMac sm : statics) {
            Port port = b.port(sm.port());
            if (!b.fdb().putStatic(FdbKey.of(sm.vlan(), sm.mac()), port.index())) {
                LOG.warning("bridge " + b.name() + ": MAC table full, static entry " + MacAddress.format(sm.mac())
                        + " not added");
            }
        }
    }

    /** The static entries of {@code b} as they are now, as configuration. */
    static List<StaticMac> statics(Bridge b) {
        List<StaticMac> statics = new ArrayList<>();
        for (MacTable.Entry e : b.fdb().entries(MonotonicClock.millis())) {
            Port p = b.portAt(e.port());
            if (e.isStatic() && p != null) {
                statics.add(new StaticMac(e.mac(), e.vlan(), p.name()));
            }
        }
        return statics;
    }
}

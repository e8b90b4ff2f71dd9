package io.switchd;

import io.switchd.api.model.BridgeInfo;
import io.switchd.api.model.FdbEntry;
import io.switchd.api.model.PortStats;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.MacTable;
import io.switchd.frame.MacAddress;
import io.switchd.port.DropReason;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.sys.SysException;
import io.switchd.sys.VxlanFdb;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/** The API's views of bridges, MAC tables and counters, built from the running bridges. */
final class ApiViews {
    private static final Logger LOG = Logger.getLogger(ApiViews.class.getName());

    private ApiViews() {
    }

    /** Bridge {@code b} as the API shows it. */
    static BridgeInfo bridge(Bridge b, ConfigDeclarations declared) {
        List<String> ports = new ArrayList<>();
        for (Port p : b.ports()) {
            ports.add(p.name());
        }
        BridgeConfig c = b.config();
        return new BridgeInfo(b.name(), ports, c.ageingTime().toSeconds(), c.macTableSize(), c.groupForwardMask(),
                b.fdb().size(MonotonicClock.millis()), declared.bridgeOrigin(b.name()));
    }

    /**
     * MAC table entries of {@code bridges}, filtered by port, VLAN and MAC when given, in (bridge,
     * VLAN, MAC) order, from {@code offset} on and at most {@code limit} of them: only that page is
     * turned into API records.
     */
    static List<FdbEntry> fdb(List<Bridge> bridges, String portName, Integer vlan, Long mac, int offset, int limit)
            throws ControlException {
        long now = MonotonicClock.millis();
        List<FdbEntry> out = new ArrayList<>();
        // the remotes behind each vxlan port on the page: its device's table, read once per request
        Map<Port, Map<Long, InetAddress>> remotes = new HashMap<>();
        int skip = offset;
        List<Bridge> chosen = new ArrayList<>(bridges);
        chosen.sort((x, y) -> x.name().compareTo(y.name()));
        for (Bridge b : chosen) {
            int portIndex = -1;
            if (portName != null) {
                portIndex = ApiArgs.port(b, portName).index();
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
                InetAddress remote = p != null && p.type() == PortType.VXLAN
                        ? remotes.computeIfAbsent(p, ApiViews::vxlanRemotes).get(e.mac()) : null;
                out.add(new FdbEntry(b.name(), p == null ? "?" : p.name(), e.vlan(), MacAddress.format(e.mac()),
                        e.isStatic() ? "static" : "learned", e.ageMillis() / 1000,
                        remote == null ? null : remote.getHostAddress()));
            }
            skip = 0;
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    /**
     * Which remote VTEP each MAC behind vxlan port {@code p} is behind, from its kernel device's own
     * table; empty (the entries then show no remote) when the device cannot be read.
     */
    private static Map<Long, InetAddress> vxlanRemotes(Port p) {
        try {
            return VxlanFdb.remotes(p.name());
        } catch (SysException e) {
            LOG.fine(() -> "fdb show: " + e.getMessage());
            return Map.of();
        }
    }

    /** The counters of port {@code p} of {@code b}, the kernel's drops read first. */
    static PortStats stats(Bridge b, Port p) {
        p.collectKernelDrops();
        Map<String, Long> drops = new TreeMap<>();
        for (DropReason r : DropReason.values()) {
            drops.put(r.label(), p.counters().get(PortCounters.drop(r)));
        }
        return new PortStats(b.name(), p.name(), p.counters().get(PortCounters.RX_FRAMES),
                p.counters().get(PortCounters.RX_BYTES), p.counters().get(PortCounters.TX_FRAMES),
                p.counters().get(PortCounters.TX_BYTES), drops);
    }
}

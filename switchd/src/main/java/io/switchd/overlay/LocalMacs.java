package io.switchd.overlay;

import io.switchd.bridge.Bridge;
import io.switchd.config.PortType;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.frame.MacAddress;
import io.switchd.port.Port;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The MACs a host publishes for a bridge: those its MAC table holds on ports other than vxlan ones
 * (its local hosts and VMs), each with its VLAN. Read without a lock, as a metrics scrape reads the
 * table ({@link io.switchd.fdb.MacTable#forEach}): the forwarding loops never wait for it.
 */
final class LocalMacs {
    private LocalMacs() {}

    /** At most {@code limit} local unicast MACs of {@code bridge} now, MAC to VLAN (one VLAN if it is on several). */
    static Map<Long, Integer> sample(Bridge bridge, int limit) {
        Set<Integer> local = new HashSet<>();
        for (Port p : bridge.ports()) {
            if (p.type() != PortType.VXLAN) {
                local.add(p.index());
            }
        }
        Map<Long, Integer> out = new HashMap<>();
        bridge.fdb().forEach(MonotonicClock.millis(), limit, (vlan, mac, port, isStatic, age) -> {
            if (local.contains(port) && !MacAddress.isGroup(mac)) {
                out.putIfAbsent(mac, vlan);
            }
        });
        return out;
    }
}

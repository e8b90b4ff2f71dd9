package io.switchd;

import io.switchd.api.model.StpInfo;
import io.switchd.bridge.Bridge;
import io.switchd.port.Port;
import io.switchd.stp.BridgeId;
import io.switchd.stp.RstpStatus;

import java.util.ArrayList;
import java.util.List;

/** A bridge's spanning tree in the API's words: port numbers become names, ids the kernel bridge's text. */
final class StpView {
    private StpView() {}

    /** {@code bridge}'s tree from {@code status}, or a bridge with its tree off when status is null. */
    static StpInfo of(Bridge bridge, RstpStatus status) {
        if (status == null) {
            return new StpInfo(bridge.name(), "off", null, null, null, 0, 0, null, List.of());
        }
        List<StpInfo.Port> ports = new ArrayList<>();
        for (RstpStatus.Port p : status.ports()) {
            ports.add(new StpInfo.Port(name(bridge, p.number()), p.role().label(), p.state().label(), p.edge(),
                    p.cost(), p.priority()));
        }
        long since = status.secondsSinceTopologyChange();
        return new StpInfo(bridge.name(), status.mode().label(), BridgeId.format(status.bridgeId()),
                BridgeId.format(status.rootId()), status.rootPort() == 0 ? null : name(bridge, status.rootPort()),
                status.rootCost(), status.topologyChanges(), since < 0 ? null : since, ports);
    }

    /** The name of the port the tree numbers {@code number} (its bridge index plus one). */
    private static String name(Bridge bridge, int number) {
        Port p = bridge.portAt(number - 1);
        return p == null ? "#" + number : p.name();
    }
}

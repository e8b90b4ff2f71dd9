package io.switchd.bridge;

import io.switchd.port.Port;
import io.switchd.port.PortState;
import io.switchd.stp.StpState;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * An immutable view of a bridge's forwarding ports, published whole so the loops read it without
 * locks: by index for known unicast, and as one array to flood to.
 */
final class PortSet {
    static final PortSet EMPTY = new PortSet(new Port[0], new Port[0]);

    private final Port[] byIndex;
    private final Port[] forwarding;

    private PortSet(Port[] byIndex, Port[] forwarding) {
        this.byIndex = byIndex;
        this.forwarding = forwarding;
    }

    /**
     * The set of {@code ports} (indexed by their bridge index) that are up and that the spanning
     * tree lets forward, apart from the mirrors' {@code outputs}: a frame is sent out of no other.
     */
    static PortSet of(Port[] ports, BitSet outputs) {
        Port[] byIndex = new Port[ports.length];
        List<Port> up = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            Port p = ports[i];
            if (p != null && p.state() == PortState.UP && p.stpState() == StpState.FORWARDING && !outputs.get(i)) {
                byIndex[i] = p;
                up.add(p);
            }
        }
        return new PortSet(byIndex, up.toArray(new Port[0]));
    }

    /** The forwarding port at {@code index}, or null. */
    Port get(int index) {
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    /** Every forwarding port, the flood set before the ingress port is left out. */
    Port[] forwarding() {
        return forwarding;
    }
}

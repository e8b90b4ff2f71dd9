package io.switchd.testing;

import io.switchd.bridge.Bridge;

/**
 * The test topology the forwarding behaviour runs over: bridge br0 (MAC table of 4096) with hosts
 * h1, h2 and h6 behind TAP ports (or memory ports) and h3 and h7 behind netdev ports, and bridge
 * br1 with hosts h4 (TAP) and h5 (netdev) and a group-forward mask of 0x4000 (01:80:c2:00:00:0e
 * passes).
 */
public interface Fabric extends AutoCloseable {
    /** Host h1 .. h7. */
    Host host(int n);

    /** A bridge by name. */
    Bridge bridge(String name);

    /** The bridge port host {@code h} sits behind. */
    default io.switchd.port.Port port(Host h) {
        io.switchd.port.Port p = bridge("br0").port(h.port());
        return p != null ? p : bridge("br1").port(h.port());
    }

    /** Makes {@code host} able to send a frame longer than its bridge port's MTU allows. */
    void allowOversize(Host host);

    /** Whether frames shorter than an Ethernet header can be sent at all (no kernel in between). */
    boolean canSendRunts();
}

package io.switchd.testing;

import io.switchd.bridge.Bridge;

/**
 * The test topology the forwarding behaviour runs over: bridge br0 with hosts h1, h2 (behind TAP
 * ports, or memory ports) and h3 (behind a netdev port), and bridge br1 with hosts h4 and h5 and
 * a group-forward mask of 0x4000 (01:80:c2:00:00:0e passes).
 */
public interface Fabric extends AutoCloseable {
    /** Host h1 .. h5. */
    Host host(int n);

    /** A bridge by name. */
    Bridge bridge(String name);

    /** Makes {@code host} able to send a frame longer than its bridge port's MTU allows. */
    void allowOversize(Host host);

    /** Whether frames shorter than an Ethernet header can be sent at all (no kernel in between). */
    boolean canSendRunts();
}

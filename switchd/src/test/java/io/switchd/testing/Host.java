package io.switchd.testing;

import java.time.Duration;

/** A station behind one bridge port: sends frames in, and sees the frames the bridge sends it. */
public interface Host {
    /** The host's MAC address. */
    long mac();

    /** The bridge port the host sits behind. */
    String port();

    /** Sends one Ethernet frame (no virtio-net header) into the bridge. */
    void send(byte[] frame);

    /** Waits for a frame carrying {@code token}; whether it came within {@code timeout}. */
    boolean await(long token, Duration timeout);

    /** The VLAN the frame carrying {@code token} arrived tagged with, -1 if untagged; it must have arrived. */
    int vlanOf(long token);

    /** What the host's side can tell about a frame that did not arrive (interface counters), for failure messages. */
    default String diagnose() {
        return "";
    }

    /** Whether a frame carrying {@code token} has arrived (checked after a later barrier frame). */
    boolean received(long token);
}

package io.switchd.stp;

import io.netty.buffer.ByteBuf;

import java.util.OptionalLong;

/**
 * What a {@link RstpBridge} asks of the switch around it. Called on the bridge's own thread,
 * from inside its methods: an implementation must not call back into the bridge.
 */
public interface RstpListener {
    /**
     * Send this BPDU frame out of {@code port}. The bytes are in the bridge's transmit buffer and
     * are overwritten by the next BPDU, so send or copy them before returning.
     */
    void transmit(int port, ByteBuf frame, int offset, int length);

    /** The port now discards, learns or forwards. */
    void stateChanged(int port, StpState state);

    /**
     * Remove the addresses learned on {@code port}: the topology changed, so hosts may now be
     * behind another port (17.19.7 fdbFlush, 17.31).
     */
    void flush(int port);

    /**
     * {@code port} heard a BPDU with BPDU guard on, from the bridge {@code sender} (empty for a
     * TCN, which names none). The bridge has taken it out of the protocol (as if its link went
     * down); bring it back with {@link RstpBridge#portEnabled} when the operator says so.
     */
    void bpduGuardTripped(int port, OptionalLong sender);
}

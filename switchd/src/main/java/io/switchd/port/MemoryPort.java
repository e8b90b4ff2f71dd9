package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.switchd.bridge.Bridge;
import io.switchd.config.PortType;
import io.switchd.dataplane.LoopContext;

/**
 * A port with no interface behind it: frames are handed in by {@link #inject} and handed out to a
 * {@link Sink}. The forwarding tests and benchmarks run the bridge over these.
 */
public final class MemoryPort extends Port {
    /** Receives the frames the bridge sends out of a memory port. */
    public interface Sink {
        /** One frame: the virtio-net header at {@code offset}, {@code length} bytes in all. */
        void frame(ByteBuf buf, int offset, int length);
    }

    private final Sink sink;

    /** A memory port named {@code name} whose transmitted frames go to {@code sink}. */
    public MemoryPort(String name, int stripes, Sink sink) {
        super(name, PortType.NETDEV, stripes);
        this.sink = sink;
        attached(true);
    }

    /** Delivers a frame into the bridge as if read from this port's interface (4 bytes of headroom before {@code offset}). */
    public void inject(ByteBuf buf, int offset, int length, LoopContext ctx) {
        Bridge b = bridge();
        b.receive(this, buf, offset, length, ctx);
    }

    /** Sets the port up or down, as a link change would. */
    public void setState(PortState state) {
        attached(state != PortState.ABSENT);
        adminUp(state != PortState.ADMIN_DOWN);
        linkUp(state != PortState.DOWN);
        bridge().portsChanged();
    }

    @Override
    protected int write(ByteBuf buf, int offset, int length) {
        sink.frame(buf, offset, length);
        return SENT;
    }

    @Override
    public void closeDescriptor() {
        // nothing to close
    }
}

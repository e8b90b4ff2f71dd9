package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.switchd.config.PortType;

/** A configured port whose interface is not there: it holds its index and counters, and forwards nothing. */
public final class AbsentPort extends Port {
    /** A port named {@code name} of {@code type} that waits for its interface. */
    public AbsentPort(String name, PortType type, int stripes) {
        super(name, type, stripes);
    }

    @Override
    protected int write(ByteBuf buf, int offset, int length) {
        return FAILED;
    }

    @Override
    public void closeDescriptor() {
        // no descriptor
    }
}

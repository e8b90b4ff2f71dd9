package io.switchd;

import io.netty.buffer.ByteBuf;
import io.switchd.config.PortType;
import io.switchd.port.Port;

/** A configured port whose interface is not there: it holds its index and counters, and forwards nothing. */
final class AbsentPort extends Port {
    AbsentPort(String name, PortType type, int stripes) {
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

package io.switchd.port;

import io.netty.buffer.Unpooled;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.PortType;
import io.switchd.dataplane.LoopContext;
import io.switchd.sys.VirtioNetHeader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One wake-up of a port reads at most a budget of frames and of bytes: a port with super-frames
 * waiting gives its loop back after a few of them, so the other ports on the loop wait for
 * hundreds of microseconds, not milliseconds.
 */
class ReadBudgetTest {
    private static final int STRIPES = 2;

    @Test
    void superFramesEndAWakeUpByTheirBytes() {
        BacklogPort port = backlog(64 * 1024);
        port.read(new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE)), false);
        // the frame that crosses the byte budget is the last one read
        int expected = (FdPort.READ_BUDGET_BYTES + frameLength(64 * 1024) - 1) / frameLength(64 * 1024);
        assertEquals(expected, port.read, "super-frames read in one wake-up");
        assertEquals(4, expected);
    }

    @Test
    void fullSizeFramesEndAWakeUpByTheirCount() {
        BacklogPort port = backlog(1514);
        port.read(new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE)), false);
        assertEquals(FdPort.READ_BUDGET, port.read, "full-size frames read in one wake-up");
    }

    @Test
    void aPortReadsUntilItIsDrainedWithinTheBudget() {
        BacklogPort port = backlog(64 * 1024);
        port.waiting = 2;
        port.read(new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE)), false);
        assertEquals(2, port.read);
    }

    private static int frameLength(int ethernetBytes) {
        return VirtioNetHeader.SIZE + ethernetBytes;
    }

    /** A port on a bridge of its own with a backlog of frames of {@code ethernetBytes} each. */
    private static BacklogPort backlog(int ethernetBytes) {
        Bridge bridge = new Bridge(new BridgeConfig("br0", Duration.ofMinutes(5), 1024, 0, List.of(), List.of()), STRIPES);
        BacklogPort port = new BacklogPort(frameLength(ethernetBytes));
        bridge.add(port);
        bridge.portsChanged();
        return port;
    }

    /** Hands the bridge broadcast frames from an endless backlog (or {@link #waiting} of them). */
    private static final class BacklogPort extends FdPort {
        private final int length;
        int waiting = Integer.MAX_VALUE;
        int read;

        BacklogPort(int length) {
            super("backlog", PortType.TAP, STRIPES, Integer.MAX_VALUE, 65535); // a descriptor never read
            this.length = length;
            attached(true);
        }

        @Override
        protected int receive(LoopContext ctx) {
            if (read == waiting) {
                return DRAINED;
            }
            var buf = ctx.buffer();
            buf.setZero(HEADROOM, length);
            int eth = HEADROOM + VirtioNetHeader.SIZE;
            buf.setInt(eth, -1).setShort(eth + 4, -1); // to ff:ff:ff:ff:ff:ff
            buf.setByte(eth + 6, 2).setByte(eth + 11, 2); // from 02:00:00:00:00:02
            read++;
            bridge().receive(this, buf, HEADROOM, length, ctx);
            return RECEIVED;
        }

        @Override
        protected String queryInterfaceName() {
            return "backlog";
        }

        @Override
        protected int write(io.netty.buffer.ByteBuf buf, int offset, int length) {
            return SENT;
        }
    }
}

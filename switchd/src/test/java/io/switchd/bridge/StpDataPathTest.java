package io.switchd.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.config.BridgeConfig;
import io.switchd.config.StpConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.port.DownReason;
import io.switchd.port.DropReason;
import io.switchd.port.MemoryPort;
import io.switchd.port.PortCounters;
import io.switchd.port.PortState;
import io.switchd.stp.StpMode;
import io.switchd.stp.StpState;
import io.switchd.sys.VirtioNetHeader;
import io.switchd.testing.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the forwarding path does with each port's spanning tree state and with BPDUs, on a bridge
 * over memory ports whose states are set as the protocol's thread would set them.
 */
class StpDataPathTest {
    private static final long BPDU_GROUP = 0x0180_C200_0000L;
    private static final int HEADROOM = 4;
    private static final StpConfig RSTP = new StpConfig(StpMode.RSTP, 32768, 1, 6, 4);

    private final LoopContext ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));
    private final Bridge bridge = new Bridge(config(RSTP), 2);
    private final List<List<byte[]>> received = new ArrayList<>();
    private final MemoryPort a = port("a");
    private final MemoryPort b = port("b");
    private final MemoryPort c = port("c");

    private static BridgeConfig config(StpConfig stp) {
        return new BridgeConfig("br0", Duration.ofMinutes(5), 1024, 0, List.of(), List.of(), stp);
    }

    private MemoryPort port(String name) {
        List<byte[]> frames = new ArrayList<>();
        received.add(frames);
        MemoryPort p = new MemoryPort(name, 2, (buf, offset, length) -> {
            byte[] f = new byte[length - VirtioNetHeader.SIZE];
            buf.getBytes(offset + VirtioNetHeader.SIZE, f);
            frames.add(f);
        });
        bridge.add(p);
        return p;
    }

    @AfterEach
    void release() {
        ctx.buffer().release();
    }

    private void send(MemoryPort in, byte[] frame) {
        ByteBuf buf = ctx.buffer();
        buf.setZero(HEADROOM, VirtioNetHeader.SIZE);
        buf.setBytes(HEADROOM + VirtioNetHeader.SIZE, frame);
        ctx.tick();
        in.inject(buf, HEADROOM, VirtioNetHeader.SIZE + frame.length, ctx);
    }

    private int got(MemoryPort p) {
        return received.get(p.index()).size();
    }

    private static long drops(MemoryPort p) {
        return p.counters().get(PortCounters.drop(DropReason.STP_DISCARDING));
    }

    private int learnedOn(long mac) {
        return bridge.fdb().lookup(FdbKey.of(0, mac), MonotonicClock.millis());
    }

    private void forwarding(MemoryPort... ports) {
        for (MemoryPort p : ports) {
            bridge.stpState(p, StpState.FORWARDING);
        }
    }

    @Test
    void aBridgeStartingItsTreeHasEveryPortDiscardingUntilTheProtocolSaysOtherwise() {
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(0, got(b) + got(c), "a frame crossed a port the tree has not placed yet");
        assertEquals(1, drops(a));
        assertEquals(MacTable.MISSING, learnedOn(0x02_0000_0000_01L), "a discarding port learned");
    }

    @Test
    void bpdusGoToTheProtocolInEveryStateAndAreNeverFlooded() {
        byte[] bpdu = Frames.frame(BPDU_GROUP, 0x02_0000_0000_01L, Frames.token());
        send(a, bpdu);
        forwarding(a, b, c);
        send(b, bpdu);
        List<String> read = new ArrayList<>();
        int n = ctx.bpdus().drain((port, frame, offset, length) -> {
            byte[] f = new byte[length];
            frame.getBytes(offset, f);
            assertEquals(List.of(bpdu.length), List.of(f.length));
            assertTrue(java.util.Arrays.equals(bpdu, f), "the BPDU's bytes");
            read.add(port.name());
        });
        assertEquals(2, n);
        assertEquals(List.of("a", "b"), read);
        assertEquals(0, got(a) + got(b) + got(c), "a BPDU was flooded by a bridge that runs a tree");
        assertEquals(0, drops(a) + drops(b));
    }

    @Test
    void aLearningPortLearnsButForwardsNothing() {
        forwarding(b, c);
        bridge.stpState(a, StpState.LEARNING);
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(0, got(b) + got(c));
        assertEquals(1, drops(a));
        assertEquals(a.index(), learnedOn(0x02_0000_0000_01L));
        // and nothing goes out of it, flooded or to a host learned behind it
        send(b, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_02L, Frames.token()));
        send(b, Frames.frame(0x02_0000_0000_01L, 0x02_0000_0000_02L, Frames.token()));
        assertEquals(0, got(a));
        assertEquals(2, got(c));
    }

    @Test
    void framesLeaveByForwardingPortsOnly() {
        forwarding(a, b);
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(1, got(b));
        assertEquals(0, got(c), "a broadcast went out of a discarding port");
        assertEquals(0, drops(a));
    }

    @Test
    void aPortThatStopsForwardingForgetsItsHostsSoTheyAreFoundAnotherWay() {
        forwarding(a, b, c);
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(a.index(), learnedOn(0x02_0000_0000_01L));
        bridge.stpState(a, StpState.DISCARDING);
        assertEquals(MacTable.MISSING, learnedOn(0x02_0000_0000_01L));
    }

    @Test
    void aPortBpduGuardTookDownForwardsNothingAndStaysDownAcrossALinkFlapUntilTheOperatorSetsItUp() {
        forwarding(a, b, c);
        a.guardDown();
        bridge.portsChanged();
        assertEquals(PortState.DOWN, a.state());
        assertEquals(DownReason.BPDU_GUARD, a.downReason());
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        send(a, Frames.frame(BPDU_GROUP, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(0, got(b) + got(c), "a port BPDU guard took down forwarded a frame");
        assertEquals(0, ctx.bpdus().drain((port, frame, offset, length) -> { }), "its BPDUs reached the tree");
        assertEquals(2, a.counters().get(PortCounters.drop(DropReason.PORT_DOWN)));
        send(b, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_02L, Frames.token()));
        assertEquals(0, got(a), "a frame went out of a port BPDU guard took down");

        a.setState(PortState.DOWN);
        a.setState(PortState.UP);
        assertEquals(DownReason.BPDU_GUARD, a.downReason(), "a link flap brought back a port BPDU guard took down");
        assertEquals(PortState.DOWN, a.state());

        a.release();
        bridge.portsChanged();
        assertNull(a.downReason());
        assertEquals(PortState.UP, a.state());
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(1, got(b), "the port forwards again once the operator set it up");
    }

    @Test
    void aPortThatIsNotUpSaysWhy() {
        assertNull(a.downReason());
        a.setState(PortState.DOWN);
        assertEquals(DownReason.LINK_DOWN, a.downReason());
        a.setState(PortState.ADMIN_DOWN);
        assertEquals(DownReason.ADMIN_DOWN, a.downReason());
        a.guardDown();
        assertEquals(DownReason.ADMIN_DOWN, a.downReason(), "the operator's word first");
        assertEquals(PortState.ADMIN_DOWN, a.state());
        a.setState(PortState.ABSENT);
        assertEquals(DownReason.ABSENT, a.downReason());
    }

    @Test
    void aBridgeThatStopsItsTreeForwardsEverywhereAndFloodsBpdusAgain() {
        bridge.reconfigure(config(StpConfig.OFF));
        send(a, Frames.frame(BPDU_GROUP, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(1, got(b));
        assertEquals(1, got(c));
        assertEquals(0, ctx.bpdus().drain((port, frame, offset, length) -> { }));
        bridge.reconfigure(config(RSTP));
        send(a, Frames.frame(Frames.BROADCAST, 0x02_0000_0000_01L, Frames.token()));
        assertEquals(1, drops(a), "the tree started again from discarding");
    }
}

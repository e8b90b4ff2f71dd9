package io.switchd.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.config.BridgeConfig;
import io.switchd.config.MirrorConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.fdb.FdbKey;
import io.switchd.port.DropReason;
import io.switchd.port.MemoryPort;
import io.switchd.port.PortCounters;
import io.switchd.port.PortPolicy;
import io.switchd.sys.VirtioNetHeader;
import io.switchd.testing.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Mirrors over memory ports: which frames reach the output (and how often), that the output takes
 * no part in forwarding, and that a mirror kept by a reload keeps its count.
 */
class MirrorMemoryTest {
    private static final int STRIPES = 2;
    private static final long A = 0x0200_0000_0001L;
    private static final long B = 0x0200_0000_0002L;
    private static final long C = 0x0200_0000_0003L;
    private static final long MON = 0x0200_0000_00EEL;

    private final LoopContext ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));
    private final Bridge bridge = new Bridge(new BridgeConfig("br0", Duration.ofMinutes(5), 1024, 0, List.of(),
            List.of()), STRIPES);
    /** The frames each port sent, by port name. */
    private final Map<String, List<byte[]>> sent = new HashMap<>();
    private final Map<String, MemoryPort> ports = new HashMap<>();

    MirrorMemoryTest() {
        for (String name : List.of("a", "b", "c", "mon")) {
            List<byte[]> out = new ArrayList<>();
            sent.put(name, out);
            MemoryPort p = new MemoryPort(name, STRIPES, (buf, offset, length) -> {
                byte[] f = new byte[length - VirtioNetHeader.SIZE];
                buf.getBytes(offset + VirtioNetHeader.SIZE, f);
                out.add(f);
            });
            ports.put(name, p);
            bridge.add(p);
        }
        bridge.portsChanged();
    }

    @AfterEach
    void release() {
        ctx.buffer().release();
    }

    private void send(String port, byte[] frame) {
        ByteBuf buf = ctx.buffer();
        buf.setZero(4, VirtioNetHeader.SIZE);
        buf.setBytes(4 + VirtioNetHeader.SIZE, frame);
        ctx.tick();
        ports.get(port).inject(buf, 4, VirtioNetHeader.SIZE + frame.length, ctx);
    }

    private List<Long> tokens(String port) {
        List<Long> out = new ArrayList<>();
        for (byte[] f : sent.get(port)) {
            out.add(Frames.tokenOf(f));
        }
        return out;
    }

    private static MirrorConfig mirror(String name, List<String> in, List<String> out, List<Integer> vlans,
                                       String output) {
        return new MirrorConfig(name, in, out, vlans, output);
    }

    /** Makes a, b and c known, so that unicast between them is not flooded. */
    private void learnAll() {
        send("a", Frames.frame(Frames.BROADCAST, A, Frames.token()));
        send("b", Frames.frame(Frames.BROADCAST, B, Frames.token()));
        send("c", Frames.frame(Frames.BROADCAST, C, Frames.token()));
        sent.values().forEach(List::clear);
    }

    @Test
    void ingressSelectionCopiesWhatThePortReceivesOnly() {
        learnAll();
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(), "mon")));
        long fromA = Frames.token();
        long toA = Frames.token();
        long other = Frames.token();
        send("a", Frames.frame(B, A, fromA));
        send("b", Frames.frame(A, B, toA));
        send("b", Frames.frame(C, B, other));
        assertEquals(List.of(fromA), tokens("mon"));
        assertEquals(List.of(fromA), tokens("b"), "the frame still goes where it was going");
        assertEquals(1, bridge.mirrors().get(0).copies());
    }

    @Test
    void egressSelectionCopiesWhatIsSentToThePortAndAFloodOnce() {
        learnAll();
        bridge.mirrors(List.of(mirror("m1", List.of(), List.of("a", "b"), List.of(), "mon")));
        long toA = Frames.token();
        long toC = Frames.token();
        long flood = Frames.token();
        send("b", Frames.frame(A, B, toA));
        send("a", Frames.frame(C, A, toC));
        send("c", Frames.frame(Frames.BROADCAST, C, flood));
        assertEquals(List.of(toA, flood), tokens("mon"), "a flood to a and b is one copy: one per mirror per frame");
        assertEquals(2, bridge.mirrors().get(0).copies());
    }

    @Test
    void aFrameSelectedAtIngressAndEgressIsCopiedOncePerMirror() {
        learnAll();
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of("b"), List.of(), "mon")));
        long t = Frames.token();
        send("a", Frames.frame(B, A, t));
        assertEquals(List.of(t), tokens("mon"));
    }

    @Test
    void aVlanSelectionCopiesOnlyThatVlan() {
        for (String p : List.of("a", "b")) {
            ports.get(p).policy(PortPolicy.builder().trunk(List.of(10, 20), -1).build());
        }
        bridge.portsChanged();
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(20), "mon")));
        long ten = Frames.token();
        long twenty = Frames.token();
        send("a", Frames.tagged(B, A, 10, ten));
        send("a", Frames.tagged(B, A, 20, twenty));
        assertEquals(List.of(twenty), tokens("mon"));
        assertEquals(20, Frames.vlanOf(sent.get("mon").get(0)), "the output (transparent) keeps the tag");
    }

    @Test
    void theOutputLearnsNothingForwardsNothingAndIsNotFloodedTo() {
        learnAll();
        send("mon", Frames.frame(Frames.BROADCAST, MON, Frames.token())); // learned before it became an output
        sent.values().forEach(List::clear);
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(), "mon")));
        assertEquals(-1, bridge.fdb().lookup(FdbKey.of(0, MON), ctx.now()), "what it had learned is forgotten");
        long fromMon = Frames.token();
        send("mon", Frames.frame(Frames.BROADCAST, MON, fromMon));
        send("mon", Frames.frame(A, MON, Frames.token()));
        assertEquals(List.of(), tokens("a"));
        assertEquals(List.of(), tokens("b"));
        assertEquals(2, ports.get("mon").counters().get(PortCounters.drop(DropReason.MIRROR_OUTPUT)));
        assertEquals(-1, bridge.fdb().lookup(FdbKey.of(0, MON), ctx.now()), "nothing learned on the output");
        long flood = Frames.token();
        send("b", Frames.frame(Frames.BROADCAST, B, flood));
        assertEquals(List.of(), tokens("mon"), "not in a flood: b is not selected");
        send("b", Frames.frame(MON, B, Frames.token()));
        assertEquals(List.of(), tokens("mon"), "nor reached as an unknown destination");
    }

    @Test
    void removingTheMirrorStopsTheCopiesAndGivesThePortBack() {
        learnAll();
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(), "mon")));
        send("a", Frames.frame(B, A, Frames.token()));
        assertEquals(1, tokens("mon").size());
        bridge.mirrors(List.of());
        sent.values().forEach(List::clear);
        send("a", Frames.frame(B, A, Frames.token()));
        assertEquals(List.of(), tokens("mon"));
        long flood = Frames.token();
        send("a", Frames.frame(Frames.BROADCAST, A, flood));
        assertEquals(List.of(flood), tokens("mon"), "a plain port again: flooded to");
    }

    @Test
    void anUnchangedMirrorKeepsRunningWithItsCount() {
        learnAll();
        MirrorConfig m1 = mirror("m1", List.of("a"), List.of(), List.of(), "mon");
        bridge.mirrors(List.of(m1));
        send("a", Frames.frame(B, A, Frames.token()));
        Mirror running = bridge.mirrors().get(0);
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(), "mon"),
                mirror("m2", List.of("b"), List.of(), List.of(), "c")));
        assertSame(running, bridge.mirrors().get(0));
        assertEquals(1, running.copies());
        send("a", Frames.frame(B, A, Frames.token()));
        assertEquals(2, running.copies());
    }

    @Test
    void twoMirrorsEachGetTheirCopy() {
        learnAll();
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(), "mon"),
                mirror("m2", List.of(), List.of("b"), List.of(), "c")));
        long t = Frames.token();
        send("a", Frames.frame(B, A, t));
        assertEquals(List.of(t), tokens("mon"));
        assertEquals(List.of(t), tokens("c"));
    }

    @Test
    void aCopyIsTaggedAsTheOutputSendsItsVlanAndADownOutputGetsNone() {
        ports.get("a").policy(PortPolicy.builder().trunk(List.of(20), -1).build());
        ports.get("b").policy(PortPolicy.builder().trunk(List.of(20), -1).build());
        ports.get("mon").policy(PortPolicy.builder().access(20).build());
        bridge.portsChanged();
        bridge.mirrors(List.of(mirror("m1", List.of("a"), List.of(), List.of(), "mon")));
        long t = Frames.token();
        send("a", Frames.tagged(B, A, 20, t));
        assertEquals(List.of(t), tokens("mon"));
        assertEquals(-1, Frames.vlanOf(sent.get("mon").get(0)), "an access output has it untagged");
        assertEquals(20, Frames.vlanOf(sent.get("b").get(0)), "and the trunk still tagged");

        ports.get("mon").setState(io.switchd.port.PortState.DOWN);
        send("a", Frames.tagged(B, A, 20, Frames.token()));
        assertEquals(1, tokens("mon").size());
        assertEquals(1, bridge.mirrors().get(0).copies());
    }
}

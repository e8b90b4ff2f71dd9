package io.switchd.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.port.MemoryPort;
import io.switchd.port.PortPolicy;
import io.switchd.sys.VirtioNetHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One whole forward of a 64-byte frame between memory ports: parse, learn, decide, send. With
 * {@code -prof gc} it shows what the per-frame path allocates (it should be nothing).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ForwardBenchmark {
    private static final long A = 0x0200_0000_000AL;
    private static final long B = 0x0200_0000_000BL;
    private Bridge bridge;
    private MemoryPort portA;
    private MemoryPort portB;
    private LoopContext ctx;
    private ByteBuf unicast;
    private ByteBuf broadcast;
    private ByteBuf toTrunk;
    private MemoryPort portC;
    private MemoryPort trunk;
    private Blackhole sink;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        sink = bh;
        bridge = new Bridge(new BridgeConfig("br0", Duration.ofMinutes(5), 65536, 0, List.of(), List.of()), 1);
        MemoryPort.Sink out = (buf, offset, length) -> sink.consume(length);
        portA = new MemoryPort("a", 1, out);
        portB = new MemoryPort("b", 1, out);
        bridge.add(portA);
        bridge.add(portB);
        portC = new MemoryPort("c", 1, out);
        trunk = new MemoryPort("t", 1, out);
        bridge.add(portC);
        bridge.add(trunk);
        portC.policy(PortPolicy.builder().access(10).build());
        trunk.policy(PortPolicy.builder().trunk(List.of(10, 20), -1).build());
        bridge.portsChanged();
        ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));
        unicast = frame(B, A);
        broadcast = frame(0xFFFF_FFFF_FFFFL, A);
        bridge.receive(portB, frame(A, B), 4, VirtioNetHeader.SIZE + 64, ctx); // learn B
        long t = 0x0200_0000_000FL;
        bridge.receive(trunk, tagged(A, t, 10), 0, VirtioNetHeader.SIZE + 68, ctx); // learn t in VLAN 10 on the trunk
        toTrunk = frame(t, 0x0200_0000_000CL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.buffer().release();
    }

    /** A 64-byte untagged IPv4 frame from {@code src} to {@code dst}, behind 4 bytes of headroom and the virtio-net header. */
    static ByteBuf frame(long dst, long src) {
        ByteBuf b = Unpooled.directBuffer(4 + VirtioNetHeader.SIZE + 64);
        b.writeZero(4 + VirtioNetHeader.SIZE);
        b.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        b.writeShort((int) (src >>> 32)).writeInt((int) src);
        b.writeShort(0x0800);
        b.writeZero(64 - 14);
        return b;
    }

    private static ByteBuf tagged(long dst, long src, int vlan) {
        ByteBuf b = Unpooled.directBuffer(4 + VirtioNetHeader.SIZE + 68);
        b.writeZero(VirtioNetHeader.SIZE);
        b.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        b.writeShort((int) (src >>> 32)).writeInt((int) src);
        b.writeShort(0x8100).writeShort(vlan).writeShort(0x0800);
        b.writeZero(64 - 14);
        return b;
    }

    /** Known unicast from A to B. */
    @Benchmark
    public void forwardUnicast() {
        bridge.receive(portA, unicast, 4, VirtioNetHeader.SIZE + 64, ctx);
    }

    /**
     * Known unicast from an access port (VLAN 10) to a trunk: the tag is added on the way out. Adding
     * it edits the frame in place, so each operation first copies the frame in, as a read would.
     */
    @Benchmark
    public void forwardAccessToTrunk() {
        ByteBuf work = ctx.buffer();
        work.setBytes(0, toTrunk, 0, 4 + VirtioNetHeader.SIZE + 64);
        bridge.receive(portC, work, 4, VirtioNetHeader.SIZE + 64, ctx);
    }

    /** A broadcast from A flooded to the three other ports. */
    @Benchmark
    public void floodBroadcast() {
        bridge.receive(portA, broadcast, 4, VirtioNetHeader.SIZE + 64, ctx);
    }
}

package io.switchd.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.bridge.Bridge;
import io.switchd.capture.Capture;
import io.switchd.capture.CaptureRing;
import io.switchd.config.BridgeConfig;
import io.switchd.config.MirrorConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.port.MemoryPort;
import io.switchd.sys.VirtioNetHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
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
 * The forward of a 64-byte known-unicast frame (as {@link ForwardBenchmark#forwardUnicast}) with
 * the mirrors the issue asks about: none (the per-frame cost is one read of a null field), one
 * that does not select the frame (a lookup, no copy), and one that does (one more send, to the
 * output); and the same for a live capture: one of another port (no copy), and one of A's ingress
 * (the frame copied into the capture's ring, and the ring drained here, on the same thread, as
 * the capture's streaming thread would). With {@code -prof gc} each should allocate nothing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MirrorBenchmark {
    private static final long A = 0x0200_0000_000AL;
    private static final long B = 0x0200_0000_000BL;

    /**
     * none: no mirror; unselected: a mirror of another port's traffic; selected: a mirror of A's;
     * capture-unselected and capture-selected: a capture instead of a mirror, of port c or of A.
     */
    @Param({"none", "unselected", "selected", "capture-unselected", "capture-selected"})
    public String mirror;
    private CaptureRing ring;
    private final CaptureRing.Reader drain = (port, direction, nanos, original, buf, from, length) -> { };

    private Bridge bridge;
    private MemoryPort portA;
    private LoopContext ctx;
    private ByteBuf unicast;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        bridge = new Bridge(new BridgeConfig("br0", Duration.ofMinutes(5), 65536, 0, List.of(), List.of()), 1);
        MemoryPort.Sink out = (buf, offset, length) -> bh.consume(length);
        portA = new MemoryPort("a", 1, out);
        MemoryPort portB = new MemoryPort("b", 1, out);
        for (MemoryPort p : List.of(portA, portB, new MemoryPort("c", 1, out), new MemoryPort("mon", 1, out))) {
            bridge.add(p);
        }
        bridge.portsChanged();
        switch (mirror) {
            case "unselected" -> bridge.mirrors(List.of(new MirrorConfig("m", List.of("c"), List.of("c"), List.of(),
                    "mon")));
            case "selected" -> bridge.mirrors(List.of(new MirrorConfig("m", List.of("a"), List.of(), List.of(),
                    "mon")));
            case "capture-unselected", "capture-selected" -> {
                ring = new CaptureRing(1518, 1 << 20);
                int index = mirror.equals("capture-selected") ? portA.index() : 2;
                bridge.addCapture(new Capture(1, List.of("x"), new int[] {index}, Capture.IN, -1, null, ring, 1));
            }
            default -> { }
        }
        ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));
        unicast = ForwardBenchmark.frame(B, A);
        bridge.receive(portB, ForwardBenchmark.frame(A, B), 4, VirtioNetHeader.SIZE + 64, ctx); // learn B
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.buffer().release();
    }

    /** Known unicast from A to B, with the mirror of {@link #mirror}. */
    @Benchmark
    public void forwardUnicast() {
        bridge.receive(portA, unicast, 4, VirtioNetHeader.SIZE + 64, ctx);
        if (ring != null) {
            ring.poll(drain);
        }
    }
}

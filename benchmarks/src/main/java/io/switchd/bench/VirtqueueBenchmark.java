package io.switchd.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.VirtioNetHeader;
import io.switchd.vhost.GuestMemory;
import io.switchd.vhost.MemoryRegion;
import io.switchd.vhost.SplitVirtqueue;
import io.switchd.vhost.VhostProtocolException;
import io.switchd.vhost.VringAddress;
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

import java.util.concurrent.TimeUnit;

/**
 * One frame through a vhost-user port's two rings, in memory: the guest side of one VM puts a
 * frame on its TX queue, the device pops it ({@link SplitVirtqueue#pop}) into a scratch buffer as
 * the port does, and pushes it ({@link SplitVirtqueue#push}) onto another VM's RX queue, whose
 * guest side has made a buffer available; both queues publish (flush) every frame, the worst
 * case. With {@code -prof gc} it shows what a frame costs the heap on the vhost-user path (it
 * should be nothing). The guest side is this class: it keeps every descriptor pointing at its
 * own buffer and only moves the avail indices, one entry per frame, as a driver that refills as
 * fast as the device consumes would.
 *
 * <pre>
 *  one direct buffer, page-aligned, guest address GPA (one memory region), a queue per QUEUE bytes:
 *  0          4096         8192         12288                           QUEUE
 *  +----------+------------+------------+-------------------------------+
 *  | desc[N]  | avail ring | used ring  | N buffers of BUFFER bytes     |  queue 0: the receiver's RX
 *  +----------+------------+------------+-------------------------------+
 *  | desc[N]  | avail ring | used ring  | N buffers of BUFFER bytes     |  queue 1: the sender's TX
 *  +----------+------------+------------+-------------------------------+
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class VirtqueueBenchmark {
    private static final int N = 256;
    private static final int DESC = 0;
    private static final int AVAIL = 4096;
    private static final int USED = 8192;
    private static final int BUFFERS = 12288;
    private static final int BUFFER = 2048;
    private static final int QUEUE = BUFFERS + N * BUFFER;
    private static final long GPA = 0x1_0000_0000L;
    private static final long UVA = 0x7f00_0000_0000L;
    private static final int HEADER = 12;
    private static final int F_WRITE = 2;

    /** The frame's length on the wire (no FCS: 60 is the 64-byte frame). */
    @Param({"60", "1514"})
    public int length;

    private ByteBuf memory;
    private ByteBuf scratchBuf;
    private int base;
    private long scratch;
    private final SplitVirtqueue rx = new SplitVirtqueue();
    private final SplitVirtqueue tx = new SplitVirtqueue();
    private int rxAvail;
    private int txAvail;

    @Setup(Level.Trial)
    public void setUp() throws VhostProtocolException {
        memory = Unpooled.directBuffer(2 * QUEUE + 4096);
        memory.setZero(0, memory.capacity());
        long host = (memory.memoryAddress() + 4095) & -4096L;
        base = (int) (host - memory.memoryAddress());
        GuestMemory guest = GuestMemory.over(new MemoryRegion[] {new MemoryRegion(GPA, 2 * QUEUE, UVA, 0)}, new long[] {host});
        // the port's scratch: room for a 64 KB frame and switchd's header, as pop asks
        scratchBuf = Unpooled.directBuffer(65536 + VirtioNetHeader.SIZE);
        scratch = scratchBuf.memoryAddress();
        long features = 1L << SplitVirtqueue.F_VERSION_1 | 1L << SplitVirtqueue.F_EVENT_IDX;
        for (int q = 0; q < 2; q++) {
            int at = q * QUEUE;
            for (int i = 0; i < N; i++) {
                long buffer = GPA + at + BUFFERS + (long) i * BUFFER;
                int desc = base + at + DESC + 16 * i;
                memory.setLongLE(desc, buffer);
                // the receiver's buffers are device-writable and whole; the sender's hold a frame
                memory.setIntLE(desc + 8, q == 0 ? BUFFER : HEADER + length);
                memory.setShortLE(desc + 12, q == 0 ? F_WRITE : 0);
                if (q == 1) {
                    // the sender's frame: to 02:..:02 from 02:..:01, after a zeroed virtio-net header
                    int frame = base + at + BUFFERS + i * BUFFER + HEADER;
                    memory.setBytes(frame, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, (byte) 0x88, (byte) 0xb5});
                }
            }
            SplitVirtqueue queue = q == 0 ? rx : tx;
            queue.features(features);
            int result = queue.start(guest, N, new VringAddress(q, 0, UVA + at + DESC, UVA + at + USED, UVA + at + AVAIL, 0), 0);
            if (result != 0) {
                throw new IllegalStateException("queue " + q + " did not start: " + result);
            }
        }
        // round the rings more than once, so that a benchmark of errors or empty pops cannot pass
        for (int i = 0; i < 3 * N; i++) {
            int pushed = forward();
            if (pushed != HEADER + length) {
                throw new IllegalStateException("frame " + i + " pushed " + pushed + " bytes, not " + (HEADER + length));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        memory.release();
        scratchBuf.release();
    }

    /** The guest makes descriptor (index mod N) of queue q available: one ring entry, then idx. */
    private int offer(int q, int index) {
        int avail = base + q * QUEUE + AVAIL;
        memory.setShortLE(avail + 4 + 2 * (index & (N - 1)), index & (N - 1));
        int next = (index + 1) & 0xFFFF;
        memory.setShortLE(avail + 2, next);
        return next;
    }

    /** One frame from the sender's TX queue to the receiver's RX queue: the bytes pushed. */
    @Benchmark
    public int forward() {
        txAvail = offer(1, txAvail);
        rxAvail = offer(0, rxAvail);
        int popped = tx.pop(scratch, 65536 + VirtioNetHeader.SIZE);
        int pushed = rx.push(scratch, popped);
        tx.flush();
        rx.flush();
        return pushed;
    }
}

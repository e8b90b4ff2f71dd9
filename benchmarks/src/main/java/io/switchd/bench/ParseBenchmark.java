package io.switchd.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.fdb.FdbKey;
import io.switchd.frame.EthernetFrame;
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

import java.util.concurrent.TimeUnit;

/**
 * The parse at the head of every forward: both addresses, the EtherType, and for a tagged frame
 * its VLAN, read in place from a 64-byte frame in a direct buffer, as the bridge reads them, down
 * to the two MAC table keys.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ParseBenchmark {
    private ByteBuf untagged;
    private ByteBuf tagged;

    @Setup(Level.Trial)
    public void setUp() {
        untagged = frame(false);
        tagged = frame(true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        untagged.release();
        tagged.release();
    }

    private static ByteBuf frame(boolean tag) {
        ByteBuf b = Unpooled.directBuffer(64, 64);
        b.writeShort(0x0200).writeInt(2);           // destination 02:00:00:00:00:02
        b.writeShort(0x0200).writeInt(1);           // source 02:00:00:00:00:01
        if (tag) {
            b.writeShort(EthernetFrame.TPID_8021Q).writeShort(10);
        }
        b.writeShort(0x0800);
        b.writeZero(64 - b.writerIndex());
        return b;
    }

    /** An untagged frame: the (VLAN 0, MAC) keys of its destination and source, folded into one result. */
    @Benchmark
    public long parseUntagged() {
        return parse(untagged);
    }

    /** A tagged frame: the same, its VLAN read from the tag. */
    @Benchmark
    public long parseTagged() {
        return parse(tagged);
    }

    private static long parse(ByteBuf buf) {
        int vlan = EthernetFrame.isTag(EthernetFrame.type(buf, 0)) ? EthernetFrame.vid(buf, 0) : 0;
        return FdbKey.of(vlan, EthernetFrame.destination(buf, 0)) ^ FdbKey.of(vlan, EthernetFrame.source(buf, 0));
    }
}

package io.switchd.bench;

import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Learning stations never seen before (a table miss that takes a free slot), which the other MAC
 * table benchmarks cannot run for long: the table would fill. Each iteration learns {@link #BATCH}
 * new stations into an empty table with room for all of them, timed as one shot; learns per
 * second are BATCH divided by the time. The empty table is made in the iteration's setup, outside
 * the timing.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, batchSize = MacTableLearnBenchmark.BATCH)
@Measurement(iterations = 10, batchSize = MacTableLearnBenchmark.BATCH)
@Fork(1)
@State(Scope.Thread)
public class MacTableLearnBenchmark {
    /** Stations learned per iteration. */
    static final int BATCH = 1 << 20;
    private MacTable table;
    private long next;

    @Setup(Level.Iteration)
    public void setUp() {
        table = new MacTable(2 * BATCH, 300_000, 1);
        next = 0;
    }

    /** One new station: the first frame from a VM or container the switch has not seen. */
    @Benchmark
    public int learnNew() {
        // spread like real addresses: consecutive MACs would probe neighbouring slots
        long mac = 0x0200_0000_0000L | ((next++ * 0x9E3779B97F4A7C15L) >>> 24);
        return table.learn(FdbKey.of(0, mac), 1, 2, 0);
    }
}

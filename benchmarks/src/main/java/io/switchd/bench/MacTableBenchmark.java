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

/** The MAC table on one core: lookups that hit and miss, refreshes, and learns refused by a full table. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MacTableBenchmark {
    private static final int STATIONS = 4096;
    private final long[] known = new long[STATIONS];
    private final long[] unknown = new long[STATIONS];
    private MacTable table;
    private MacTable full;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        table = new MacTable(65536, 300_000, 1);
        full = new MacTable(STATIONS, 300_000, 1);
        for (int n = 0; n < STATIONS; n++) {
            known[n] = FdbKey.of(0, 0x0200_0000_0000L | (n * 7919L));
            unknown[n] = FdbKey.of(0, 0x0600_0000_0000L | (n * 7919L));
            table.learn(known[n], n & 63, 1, 0);
            full.learn(known[n], n & 63, 1, 0);
        }
    }

    /** Known unicast: the destination lookup of almost every frame. */
    @Benchmark
    public int lookupHit() {
        return table.lookup(known[i++ & (STATIONS - 1)], 2);
    }

    /** Unknown unicast: the lookup before a flood. */
    @Benchmark
    public int lookupMiss() {
        return table.lookup(unknown[i++ & (STATIONS - 1)], 2);
    }

    /** The source learn of almost every frame: a station seen again on its port. */
    @Benchmark
    public int learnRefresh() {
        int n = i++ & (STATIONS - 1);
        return table.learn(known[n], n & 63, 2, 0);
    }

    /** A MAC flood against a full table: every source is new and refused. */
    @Benchmark
    public int learnFull() {
        return full.learn(unknown[i++ & (STATIONS - 1)], 1, 2, 0);
    }
}

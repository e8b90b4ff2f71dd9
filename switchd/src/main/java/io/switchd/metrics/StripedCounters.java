package io.switchd.metrics;

/**
 * A set of counters that many threads add to without locks or atomics: each writer thread owns one
 * stripe (its event loop's index) and only ever writes its own, and readers sum the stripes.
 * Stripes sit a cache line apart so the loops do not share lines.
 */
public final class StripedCounters {
    private static final int LONGS_PER_LINE = 8;
    private final long[] values;
    private final int counters;
    private final int stride;
    private final int stripes;

    /** Room for {@code counters} counters written by up to {@code stripes} threads. */
    public StripedCounters(int counters, int stripes) {
        this.counters = counters;
        this.stripes = stripes;
        this.stride = ((counters + LONGS_PER_LINE - 1) / LONGS_PER_LINE + 1) * LONGS_PER_LINE;
        this.values = new long[stride * stripes + LONGS_PER_LINE];
    }

    /** Adds one to counter {@code id} on the caller's stripe. */
    public void increment(int stripe, int id) {
        values[LONGS_PER_LINE + stripe * stride + id]++;
    }

    /** Adds {@code delta} to counter {@code id} on the caller's stripe. */
    public void add(int stripe, int id, long delta) {
        values[LONGS_PER_LINE + stripe * stride + id] += delta;
    }

    /** The sum of counter {@code id} over all stripes; a moment's racy view, never torn on 64-bit JVMs. */
    public long get(int id) {
        long sum = 0;
        for (int s = 0; s < stripes; s++) {
            sum += values[LONGS_PER_LINE + s * stride + id];
        }
        return sum;
    }

    /** How many counters each stripe holds. */
    public int size() {
        return counters;
    }

    /** How many writer threads may use this set. */
    public int stripes() {
        return stripes;
    }
}

package io.switchd.fdb;

import io.switchd.metrics.StripedCounters;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.LongPredicate;

/**
 * A bridge's MAC table: (VLAN, MAC) keys to port indexes, bounded, ageing, lock-free for the
 * forwarding threads.
 *
 * <p>Open addressing with linear probing over two parallel arrays (keys, values); key 0 marks an
 * empty slot. Forwarding threads look up and learn concurrently without locks: a new key claims an
 * empty slot with one CAS, a refresh or move is one release store of the value, and a refresh
 * within {@link #REFRESH_MILLIS} of the last one writes nothing, so steady traffic keeps the
 * table's cache lines shared. Keys are never removed in place: an expired or deleted entry keeps
 * its key with a dead value (0), and the maintenance thread compacts the table into fresh arrays
 * when dead slots pile up. A learn that races a compaction may be lost; the station's next frame
 * learns it again. The number of occupied slots is held at or under the limit, so memory is fixed
 * by the limit (set at construction, changed only by {@link #resize}) and a flood of new source
 * addresses cannot grow it or evict anyone.
 *
 * <p>Value layout: bits 0-15 port index, bit 16 static, bit 17 live, bits 18-63 last-seen millis.
 */
public final class MacTable {
    /** What {@link #lookup} returns for an unknown, expired or deleted address. */
    public static final int MISSING = -1;
    /** A learned address seen again on the same port. */
    public static final int REFRESHED = 0;
    /** A new address (or one that had expired) was learned. */
    public static final int LEARNED = 1;
    /** A learned address showed up on another port and moved there. */
    public static final int MOVED = 2;
    /** The table is full: the address was not learned. */
    public static final int FULL = 3;
    /** The address has a static entry, which learning never changes. */
    public static final int STATIC = 4;
    /** The port has as many learned addresses as its limit allows: not learned, not moved. */
    public static final int LIMITED = 5;

    /** Counter ids in {@link #counters()}. */
    public static final int C_LEARNED = 0;
    public static final int C_MOVED = 1;
    public static final int C_EXPIRED = 2;
    public static final int C_FULL = 3;
    public static final int COUNTERS = 4;

    /** A refresh closer than this to the last one is not written. */
    public static final long REFRESH_MILLIS = 1000;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long EMPTY = 0;
    private static final long PORT_MASK = 0xFFFF;
    private static final long STATIC_BIT = 1L << 16;
    private static final long LIVE_BIT = 1L << 17;
    private static final int SEEN_SHIFT = 18;

    private static final class Slots {
        final long[] keys;
        final long[] values;
        final int mask;

        Slots(int capacity) {
            keys = new long[capacity];
            values = new long[capacity];
            mask = capacity - 1;
        }
    }

    private volatile Slots slots;
    private final AtomicInteger occupied = new AtomicInteger();
    /** Learned (not static) entries per port, for per-port limits; recounted at each ageing pass. */
    private final AtomicIntegerArray perPort = new AtomicIntegerArray(1 << 16);
    private final int[] recount = new int[1 << 16];
    private volatile int limit;
    /** Slots in the arrays; changed only under the table's lock, with the arrays. */
    private int capacity;
    private volatile long ageingMillis;
    private final StripedCounters counters;
    private final int maintenanceStripe;
    private volatile boolean compactionWanted;

    /**
     * A table holding at most {@code limit} entries, expiring learned ones {@code ageingMillis}
     * after last seen, counting on {@code stripes} stripes of which the last is the maintenance
     * thread's.
     */
    public MacTable(int limit, long ageingMillis, int stripes) {
        checkLimit(limit);
        this.limit = limit;
        this.capacity = capacityFor(limit);
        this.ageingMillis = ageingMillis;
        this.counters = new StripedCounters(COUNTERS, stripes);
        this.maintenanceStripe = stripes - 1;
        this.slots = new Slots(capacity);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > (1 << 28)) {
            throw new IllegalArgumentException("mac-table-size must be 1 to 268435456: " + limit);
        }
    }

    /** Twice the limit or more, a power of two: linear probing stays short at full load. */
    private static int capacityFor(int limit) {
        return Integer.highestOneBit(Math.max(limit, 8) * 2 - 1) << 1;
    }

    /** The port index of {@code key} at time {@code now}, or {@link #MISSING}. */
    public int lookup(long key, long now) {
        Slots s = slots;
        int i = find(s, key);
        if (i < 0) {
            return MISSING;
        }
        long v = (long) LONGS.getAcquire(s.values, i);
        return isCurrent(v, now) ? (int) (v & PORT_MASK) : MISSING;
    }

    /** The port of {@code key}'s static entry, or {@link #MISSING} when it has none (a locked port's check). */
    public int lookupStatic(long key) {
        Slots s = slots;
        int i = find(s, key);
        if (i < 0) {
            return MISSING;
        }
        long v = (long) LONGS.getAcquire(s.values, i);
        return (v & (LIVE_BIT | STATIC_BIT)) == (LIVE_BIT | STATIC_BIT) ? (int) (v & PORT_MASK) : MISSING;
    }

    /** Records that {@code key} was seen on {@code port} at {@code now}; returns what happened. */
    public int learn(long key, int port, long now, int stripe) {
        return learn(key, port, now, stripe, 0);
    }

    /**
     * Records that {@code key} was seen on {@code port} at {@code now}, allowing at most
     * {@code portLimit} learned entries on that port (0: no limit); returns what happened.
     */
    public int learn(long key, int port, long now, int stripe, int portLimit) {
        Slots s = slots;
        long[] keys = s.keys;
        int mask = s.mask;
        int i = index(key, mask);
        while (true) {
            long k = (long) LONGS.getAcquire(keys, i);
            if (k == key) {
                return update(s.values, i, port, now, stripe, portLimit);
            }
            if (k == EMPTY) {
                if (portLimit > 0 && perPort.get(port) >= portLimit) {
                    return LIMITED;
                }
                if (!reserve()) {
                    counters.increment(stripe, C_FULL);
                    if (!compactionWanted) {
                        compactionWanted = true; // one store, not one per refused frame of a MAC flood
                    }
                    return FULL;
                }
                if (LONGS.compareAndSet(keys, i, EMPTY, key)) {
                    LONGS.setRelease(s.values, i, encode(port, now, false));
                    perPort.incrementAndGet(port);
                    counters.increment(stripe, C_LEARNED);
                    return LEARNED;
                }
                occupied.decrementAndGet();
                continue; // another thread took this slot: look at it again
            }
            i = (i + 1) & mask;
        }
    }

    private int update(long[] values, int i, int port, long now, int stripe, int portLimit) {
        long v = (long) LONGS.getAcquire(values, i);
        boolean current = isCurrent(v, now);
        if (current && (v & STATIC_BIT) != 0) {
            return STATIC;
        }
        int oldPort = (int) (v & PORT_MASK);
        boolean samePort = oldPort == port;
        if (current && samePort) {
            if (now - seen(v) >= REFRESH_MILLIS) {
                LONGS.setRelease(values, i, encode(port, now, false));
            }
            return REFRESHED;
        }
        if (portLimit > 0 && perPort.get(port) >= portLimit) {
            return LIMITED; // a full port neither learns new stations nor takes others' over
        }
        if (!LONGS.compareAndSet(values, i, v, encode(port, now, false))) {
            return REFRESHED; // another thread wrote this entry just now; the next frame looks again
        }
        perPort.incrementAndGet(port);
        if ((v & LIVE_BIT) != 0) {
            perPort.decrementAndGet(oldPort); // moved, or expired but not yet aged out
        }
        if (!current) {
            counters.increment(stripe, C_LEARNED);
            return LEARNED;
        }
        counters.increment(stripe, C_MOVED);
        return MOVED;
    }

    private boolean reserve() {
        while (true) {
            int n = occupied.get();
            if (n >= limit) {
                return false;
            }
            if (occupied.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Adds or replaces a static entry: it never ages and learning never moves it. */
    public synchronized boolean putStatic(long key, int port) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("the all-zero address in VLAN 0 cannot be a static entry");
        }
        long value = encode(port, 0, true);
        Slots s = slots;
        int i = find(s, key);
        if (i >= 0) {
            long old = (long) LONGS.getAndSet(s.values, i, value);
            forgetLearned(old);
            return true;
        }
        if (!reserve()) {
            compact();
            if (!reserve()) {
                return false;
            }
        }
        insert(slots, key, value);
        return true;
    }

    /** Removes {@code key}, static or learned; returns whether it was there. */
    public synchronized boolean remove(long key) {
        Slots s = slots;
        int i = find(s, key);
        if (i < 0 || (long) LONGS.getAcquire(s.values, i) == 0) {
            return false;
        }
        forgetLearned((long) LONGS.getAndSet(s.values, i, 0L));
        return true;
    }

    /** Removes the entries on {@code port} (all ports when negative), static ones too if asked; returns how many. */
    public synchronized int flush(int port, boolean includeStatic) {
        return flush(port, includeStatic, key -> false);
    }

    /**
     * The same, but keeping the static entries whose key {@code keepStatic} accepts (those the
     * config file declares, which only the config file removes).
     */
    public synchronized int flush(int port, boolean includeStatic, LongPredicate keepStatic) {
        Slots s = slots;
        int removed = 0;
        for (int i = 0; i < s.keys.length; i++) {
            long v = (long) LONGS.getAcquire(s.values, i);
            if ((v & LIVE_BIT) == 0) {
                continue;
            }
            boolean isStatic = (v & STATIC_BIT) != 0;
            if ((port < 0 || (v & PORT_MASK) == port) && (!isStatic
                    || includeStatic && !keepStatic.test((long) LONGS.getAcquire(s.keys, i)))) {
                if (LONGS.compareAndSet(s.values, i, v, 0L)) {
                    forgetLearned(v);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Expires learned entries not seen for the ageing time and compacts the table when dead slots
     * pile up or a learn found it full; run by the maintenance thread about once a second.
     */
    public synchronized int age(long now) {
        Slots s = slots;
        int expired = 0;
        int dead = 0;
        for (int i = 0; i < s.keys.length; i++) {
            if ((long) LONGS.getAcquire(s.keys, i) == EMPTY) {
                continue;
            }
            long v = (long) LONGS.getAcquire(s.values, i);
            if ((v & LIVE_BIT) != 0 && !isCurrent(v, now) && LONGS.compareAndSet(s.values, i, v, 0L)) {
                forgetLearned(v);
                expired++;
                v = 0;
            }
            if ((v & LIVE_BIT) == 0) {
                dead++;
            }
        }
        counters.add(maintenanceStripe, C_EXPIRED, expired);
        if (dead > 0 && (dead * 4 > limit || compactionWanted)) {
            compact();
        }
        recountPorts();
        return expired;
    }

    private void compact() {
        compactionWanted = false;
        Slots old = slots;
        Slots fresh = new Slots(capacity);
        copyLive(old, fresh, true, Integer.MAX_VALUE);
        slots = fresh;
        // Learns that landed in the old arrays after they were copied: carry them over too.
        copyLive(old, fresh, true, Integer.MAX_VALUE);
        occupied.set(count(fresh));
    }

    /**
     * Changes the most entries the table holds, keeping its entries: all static ones, and learned
     * ones while there is room. As with a compaction, a station first learned in the moment of the
     * switch-over may have to be learned again by its next frame.
     */
    public synchronized void resize(int newLimit) {
        checkLimit(newLimit);
        compactionWanted = false;
        Slots old = slots;
        Slots fresh = new Slots(capacityFor(newLimit));
        copyLive(old, fresh, false, Integer.MAX_VALUE); // static entries first: they are configuration
        copyLive(old, fresh, true, newLimit);
        limit = newLimit;
        capacity = fresh.keys.length;
        slots = fresh;
        copyLive(old, fresh, true, newLimit);
        occupied.set(count(fresh));
        recountPorts();
    }

    private static int count(Slots s) {
        int n = 0;
        for (int i = 0; i < s.keys.length; i++) {
            if ((long) LONGS.getAcquire(s.keys, i) != EMPTY) {
                n++;
            }
        }
        return n;
    }

    private void forgetLearned(long v) {
        if ((v & LIVE_BIT) != 0 && (v & STATIC_BIT) == 0) {
            perPort.decrementAndGet((int) (v & PORT_MASK));
        }
    }

    /** Sets the per-port counts from the table; learns racing a compaction can leave them off until then. */
    private void recountPorts() {
        Slots s = slots;
        int[] counts = recount;
        java.util.Arrays.fill(counts, 0);
        for (int i = 0; i < s.keys.length; i++) {
            long v = (long) LONGS.getAcquire(s.values, i);
            if ((v & (LIVE_BIT | STATIC_BIT)) == LIVE_BIT && (long) LONGS.getAcquire(s.keys, i) != EMPTY) {
                counts[(int) (v & PORT_MASK)]++;
            }
        }
        for (int p = 0; p < counts.length; p++) {
            if (perPort.get(p) != counts[p]) {
                perPort.set(p, counts[p]);
            }
        }
    }

    /**
     * Copies the live static entries of {@code from} into {@code to}, and the learned ones too if
     * {@code learned}, adding none once {@code to} holds {@code room} entries.
     */
    private static void copyLive(Slots from, Slots to, boolean learned, int room) {
        int n = room == Integer.MAX_VALUE ? 0 : count(to);
        for (int i = 0; i < from.keys.length; i++) {
            long k = (long) LONGS.getAcquire(from.keys, i);
            long v = (long) LONGS.getAcquire(from.values, i);
            if (k == EMPTY || (v & LIVE_BIT) == 0 || (!learned && (v & STATIC_BIT) == 0)) {
                continue;
            }
            int j = find(to, k);
            if (j < 0) {
                if (n < room || (v & STATIC_BIT) != 0) {
                    insert(to, k, v);
                    n++;
                }
            } else if (seen(v) > seen((long) LONGS.getAcquire(to.values, j))) {
                LONGS.setRelease(to.values, j, v);
            }
        }
    }

    private static int find(Slots s, long key) {
        int i = index(key, s.mask);
        while (true) {
            long k = (long) LONGS.getAcquire(s.keys, i);
            if (k == key) {
                return i;
            }
            if (k == EMPTY) {
                return -1;
            }
            i = (i + 1) & s.mask;
        }
    }

    private static void insert(Slots s, long key, long value) {
        int i = index(key, s.mask);
        while (true) {
            long k = (long) LONGS.getAcquire(s.keys, i);
            if (k == EMPTY && LONGS.compareAndSet(s.keys, i, EMPTY, key)) {
                LONGS.setRelease(s.values, i, value);
                return;
            }
            if ((long) LONGS.getAcquire(s.keys, i) == key) {
                LONGS.setRelease(s.values, i, value);
                return;
            }
            i = (i + 1) & s.mask;
        }
    }

    /** A snapshot of the live entries at {@code now}, for the control plane and tests. */
    public List<Entry> entries(long now) {
        return entries(now, Integer.MAX_VALUE);
    }

    /**
     * At most {@code limit} of the live entries at {@code now}, in table order: a bounded export
     * costs what it keeps, not what the table holds (a scrape of a full table would otherwise
     * allocate megabytes, and the collection that follows stops every forwarding loop).
     */
    public List<Entry> entries(long now, int limit) {
        List<Entry> out = new ArrayList<>();
        forEach(now, limit, (vlan, mac, port, isStatic, ageMillis) ->
                out.add(new Entry(vlan, mac, port, isStatic, ageMillis)));
        return out;
    }

    /**
     * Hands at most {@code limit} of the live entries at {@code now} to {@code visitor}, in table
     * order, allocating nothing; returns how many it handed. Like {@link #entries}, it takes no
     * lock and may run on any thread while the loops learn: it reads the arrays in place (the ones
     * of the moment it starts, should a compaction replace them meanwhile), so an entry learned,
     * moved or expired during the walk may show either way.
     */
    public int forEach(long now, int limit, EntryVisitor visitor) {
        Slots s = slots;
        int n = 0;
        for (int i = 0; i < s.keys.length && n < limit; i++) {
            long k = (long) LONGS.getAcquire(s.keys, i);
            long v = (long) LONGS.getAcquire(s.values, i);
            if (k != EMPTY && isCurrent(v, now)) {
                boolean isStatic = (v & STATIC_BIT) != 0;
                visitor.entry(FdbKey.vlan(k), FdbKey.mac(k), (int) (v & PORT_MASK), isStatic,
                        isStatic ? 0 : now - seen(v));
                n++;
            }
        }
        return n;
    }

    /** How many live entries the table holds at {@code now}. */
    public int size(long now) {
        Slots s = slots;
        int n = 0;
        for (int i = 0; i < s.keys.length; i++) {
            if ((long) LONGS.getAcquire(s.keys, i) != EMPTY && isCurrent((long) LONGS.getAcquire(s.values, i), now)) {
                n++;
            }
        }
        return n;
    }

    /** Changes the ageing time of learned entries. */
    public void ageingMillis(long millis) {
        this.ageingMillis = millis;
    }

    /** The most entries the table holds. */
    public int limit() {
        return limit;
    }

    /** Learned, moved, expired and table-full counts ({@code C_*} ids). */
    public StripedCounters counters() {
        return counters;
    }

    private boolean isCurrent(long v, long now) {
        return (v & LIVE_BIT) != 0 && ((v & STATIC_BIT) != 0 || now - seen(v) < ageingMillis);
    }

    private static long encode(int port, long now, boolean isStatic) {
        return (now << SEEN_SHIFT) | LIVE_BIT | (isStatic ? STATIC_BIT : 0) | (port & PORT_MASK);
    }

    private static long seen(long v) {
        return v >>> SEEN_SHIFT;
    }

    private static int index(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** One live entry as the control plane shows it. */
    public record Entry(int vlan, long mac, int port, boolean isStatic, long ageMillis) {}

    /** Takes the entries {@link #forEach} walks, one call per entry, as plain values. */
    @FunctionalInterface
    public interface EntryVisitor {
        /** One live entry: what {@link Entry} holds, without the object. */
        void entry(int vlan, long mac, int port, boolean isStatic, long ageMillis);
    }
}

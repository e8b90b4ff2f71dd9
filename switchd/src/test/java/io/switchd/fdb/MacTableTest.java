package io.switchd.fdb;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacTableTest {
    private static final long AGEING = 300_000;
    private static final long A = FdbKey.of(0, 0x0200_0000_000AL);
    private static final long B = FdbKey.of(0, 0x0200_0000_000BL);

    @Test
    void learnsAndLooksUp() {
        MacTable t = new MacTable(16, AGEING, 1);
        assertEquals(MacTable.MISSING, t.lookup(A, 1));
        assertEquals(MacTable.LEARNED, t.learn(A, 3, 1, 0));
        assertEquals(3, t.lookup(A, 2));
        assertEquals(MacTable.REFRESHED, t.learn(A, 3, 2, 0));
        assertEquals(1, t.counters().get(MacTable.C_LEARNED));
    }

    @Test
    void theSameMacInTwoVlansIsTwoEntries() {
        MacTable t = new MacTable(16, AGEING, 1);
        long mac = 0x0200_0000_0001L;
        t.learn(FdbKey.of(10, mac), 1, 1, 0);
        t.learn(FdbKey.of(20, mac), 2, 1, 0);
        assertEquals(1, t.lookup(FdbKey.of(10, mac), 1));
        assertEquals(2, t.lookup(FdbKey.of(20, mac), 1));
        assertEquals(MacTable.MISSING, t.lookup(FdbKey.of(0, mac), 1));
    }

    @Test
    void entriesAgeOutAfterTheAgeingTime() {
        MacTable t = new MacTable(16, AGEING, 1);
        t.learn(A, 1, 1_000, 0);
        assertEquals(1, t.lookup(A, 1_000 + AGEING - 1));
        assertEquals(MacTable.MISSING, t.lookup(A, 1_000 + AGEING), "expired at lookup even before ageing runs");
        assertEquals(1, t.age(1_000 + AGEING));
        assertEquals(1, t.counters().get(MacTable.C_EXPIRED));
        assertEquals(0, t.size(1_000 + AGEING));
        assertEquals(MacTable.LEARNED, t.learn(A, 2, 1_000 + AGEING + 1, 0), "an expired station is learned anew");
    }

    @Test
    void aRefreshKeepsAnEntryAlive() {
        MacTable t = new MacTable(16, AGEING, 1);
        t.learn(A, 1, 1_000, 0);
        t.learn(A, 1, 1_000 + AGEING / 2, 0);
        assertEquals(1, t.lookup(A, 1_000 + AGEING + 10));
        assertEquals(0, t.age(1_000 + AGEING + 10));
    }

    @Test
    void aStationOnAnotherPortMovesAndIsCounted() {
        MacTable t = new MacTable(16, AGEING, 1);
        t.learn(A, 1, 1, 0);
        assertEquals(MacTable.MOVED, t.learn(A, 2, 2, 0));
        assertEquals(2, t.lookup(A, 3));
        assertEquals(1, t.counters().get(MacTable.C_MOVED));
    }

    @Test
    void aFullTableLearnsNothingNewAndEvictsNobody() {
        MacTable t = new MacTable(4, AGEING, 1);
        for (int i = 1; i <= 4; i++) {
            assertEquals(MacTable.LEARNED, t.learn(FdbKey.of(0, 0x0200_0000_0000L + i), i, 1, 0));
        }
        assertEquals(MacTable.FULL, t.learn(A, 9, 1, 0));
        assertEquals(MacTable.MISSING, t.lookup(A, 1));
        assertEquals(1, t.counters().get(MacTable.C_FULL));
        for (int i = 1; i <= 4; i++) {
            assertEquals(i, t.lookup(FdbKey.of(0, 0x0200_0000_0000L + i), 2), "entry " + i + " evicted");
        }
        assertEquals(MacTable.MOVED, t.learn(FdbKey.of(0, 0x0200_0000_0001L), 7, 2, 0), "known stations still move");
    }

    @Test
    void expiredEntriesMakeRoomAgain() {
        MacTable t = new MacTable(4, AGEING, 1);
        for (int i = 1; i <= 4; i++) {
            t.learn(FdbKey.of(0, 0x0200_0000_0000L + i), i, 1, 0);
        }
        assertEquals(MacTable.FULL, t.learn(A, 9, 2, 0));
        t.age(1 + AGEING);
        assertEquals(MacTable.LEARNED, t.learn(A, 9, 2 + AGEING, 0));
        assertEquals(9, t.lookup(A, 3 + AGEING));
    }

    @Test
    void staticEntriesNeverAgeAndNeverMove() {
        MacTable t = new MacTable(16, AGEING, 1);
        assertTrue(t.putStatic(A, 5));
        assertEquals(MacTable.STATIC, t.learn(A, 6, 10, 0));
        assertEquals(5, t.lookup(A, 10));
        t.age(AGEING * 10);
        assertEquals(5, t.lookup(A, AGEING * 10));
        assertEquals(1, t.entries(AGEING * 10).size());
        assertTrue(t.entries(AGEING * 10).get(0).isStatic());
    }

    @Test
    void flushRemovesOnePortsLearnedEntriesAndKeepsStaticOnes() {
        MacTable t = new MacTable(16, AGEING, 1);
        t.learn(A, 1, 1, 0);
        t.learn(B, 2, 1, 0);
        long s = FdbKey.of(0, 0x0200_0000_00CCL);
        t.putStatic(s, 1);
        assertEquals(1, t.flush(1, false));
        assertEquals(MacTable.MISSING, t.lookup(A, 2));
        assertEquals(2, t.lookup(B, 2));
        assertEquals(1, t.lookup(s, 2));
        assertEquals(1, t.flush(1, true));
        assertEquals(MacTable.MISSING, t.lookup(s, 2));
    }

    @Test
    void compactionKeepsEveryLiveEntry() {
        MacTable t = new MacTable(1000, AGEING, 1);
        for (int i = 1; i <= 1000; i++) {
            t.learn(FdbKey.of(0, 0x0200_0000_0000L + i), i % 100, i % 2 == 0 ? 1 : AGEING / 2, 0);
        }
        t.age(AGEING + 1); // the 500 learned at time 1 expire and the table compacts
        assertEquals(500, t.size(AGEING + 1));
        for (int i = 1; i <= 1000; i++) {
            int expect = i % 2 == 0 ? MacTable.MISSING : i % 100;
            assertEquals(expect, t.lookup(FdbKey.of(0, 0x0200_0000_0000L + i), AGEING + 1), "entry " + i);
        }
        for (int i = 1001; i <= 1500; i++) {
            assertEquals(MacTable.LEARNED, t.learn(FdbKey.of(0, 0x0200_0000_0000L + i), 1, AGEING + 2, 0));
        }
        assertEquals(MacTable.FULL, t.learn(A, 1, AGEING + 2, 0));
    }

    @Test
    void concurrentLearnersNeverExceedTheLimitOrLoseEachOthersEntries() throws Exception {
        int limit = 20_000;
        MacTable t = new MacTable(limit, AGEING, 3);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        for (int n = 0; n < 2; n++) {
            int stripe = n;
            threads[n] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < 100_000; i++) {
                    long mac = (r.nextLong() & 0xFEFF_FFFF_FFFFL) | 0x0200_0000_0000L;
                    t.learn(FdbKey.of(0, mac), stripe + 1, 1, stripe);
                }
                // a fixed station per thread, learned after the table is full, is refused, not evicting
            });
            threads[n].start();
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(limit, t.size(2));
        assertEquals(limit, t.counters().get(MacTable.C_LEARNED));
        assertEquals(200_000 - limit, t.counters().get(MacTable.C_FULL));
    }

    @Test
    void resizingKeepsEveryEntryWithItsAgeAndTheCounters() {
        MacTable t = new MacTable(4, AGEING, 1);
        t.learn(A, 1, 1_000, 0);
        t.putStatic(B, 2);
        long c = FdbKey.of(7, 0x0200_0000_000CL);
        t.learn(c, 3, 2_000, 0);
        t.learn(FdbKey.of(0, 0x0200_0000_000DL), 3, 2_000, 0);
        assertEquals(MacTable.FULL, t.learn(FdbKey.of(0, 0x0200_0000_000EL), 1, 2_000, 0));

        t.resize(1000);
        assertEquals(1000, t.limit());
        assertEquals(1, t.lookup(A, 5_000));
        assertEquals(2, t.lookupStatic(B));
        assertEquals(3, t.lookup(c, 5_000));
        assertEquals(4_000, entry(t, A, 5_000).ageMillis(), "last seen is kept");
        assertEquals(3, t.counters().get(MacTable.C_LEARNED), "counters are the table's, not the arrays'");
        assertEquals(MacTable.LEARNED, t.learn(FdbKey.of(0, 0x0200_0000_000EL), 1, 6_000, 0), "room now");
        assertEquals(MacTable.MISSING, t.lookup(A, 1_000 + AGEING), "still ages");
    }

    @Test
    void shrinkingBelowWhatItHoldsKeepsStaticEntriesFirstAndThenStopsLearning() {
        MacTable t = new MacTable(16, AGEING, 1);
        for (int i = 0; i < 10; i++) {
            t.learn(FdbKey.of(0, 0x0200_0000_0100L + i), 1, 1_000, 0);
        }
        t.putStatic(B, 2);
        t.resize(4);
        assertEquals(2, t.lookupStatic(B));
        assertEquals(4, t.size(2_000), "static entry plus learned ones up to the new limit");
        assertEquals(MacTable.FULL, t.learn(A, 1, 2_000, 0));
    }

    @Test
    void aWalkHandsOverTheLiveEntriesUpToTheLimitAndAllocatesNothing() {
        MacTable t = new MacTable(20_000, AGEING, 1);
        for (int i = 0; i < 10_000; i++) {
            t.learn(FdbKey.of(i % 3, 0x0200_0000_0000L + i), i % 5, i < 100 ? 1_000 : AGEING, 0);
        }
        t.putStatic(FdbKey.of(7, 0x0200_0000_0000L), 9);
        t.remove(FdbKey.of(1, 0x0200_0000_0000L + 1_000)); // a dead slot
        long now = AGEING + 1_000; // the first 100 have expired, not yet aged out
        Walk walk = new Walk();
        assertEquals(9_900, t.forEach(now, Integer.MAX_VALUE, walk));
        assertEquals(9_900, walk.count);
        assertEquals(t.entries(now).stream().mapToLong(e -> e.mac() + e.vlan() + e.port() + e.ageMillis()).sum(), walk.sum);
        assertEquals(1, walk.statics);
        assertEquals(t.entries(now, 37), t.entries(now).subList(0, 37), "the limit keeps the first in table order");
        walk = new Walk();
        assertEquals(37, t.forEach(now, 37, walk));
        assertEquals(t.entries(now, 37).stream().mapToLong(e -> e.mac() + e.vlan() + e.port() + e.ageMillis()).sum(), walk.sum);

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        t.forEach(now, Integer.MAX_VALUE, walk);
        long before = threads.getThreadAllocatedBytes(self);
        t.forEach(now, Integer.MAX_VALUE, walk);
        long allocated = threads.getThreadAllocatedBytes(self) - before;
        assertTrue(allocated < 1024, "a walk of 9,900 entries allocated " + allocated + " bytes");
    }

    /** Sums what it is handed, so each value is seen to arrive. */
    private static final class Walk implements MacTable.EntryVisitor {
        int count;
        int statics;
        long sum;

        @Override
        public void entry(int vlan, long mac, int port, boolean isStatic, long ageMillis) {
            count++;
            statics += isStatic ? 1 : 0;
            sum += mac + vlan + port + ageMillis;
        }
    }

    private static MacTable.Entry entry(MacTable t, long key, long now) {
        for (MacTable.Entry e : t.entries(now)) {
            if (FdbKey.of(e.vlan(), e.mac()) == key) {
                return e;
            }
        }
        throw new AssertionError("no entry");
    }
}

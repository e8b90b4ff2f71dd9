package io.switchd.vhost;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.PlatformDependent;
import io.switchd.sys.LibC;

import java.util.SplittableRandom;

/**
 * Coverage-guided fuzzing (Jazzer) of the split virtqueue against a hostile guest: a memory table
 * of up to four regions and a queue's rings and descriptors built from the input, then a run of
 * pops, pushes, flushes and notification changes. Nothing may throw, every result must be one the
 * API promises, and nothing may be touched outside the regions: each region sits in its own slot
 * of anonymous memory with an inaccessible page after the slot (a read or write past it crashes
 * the run), one edge of the region on that page's boundary, and the slot's bytes the region does
 * not cover hold a pattern checked after every run; so does the space after the pop buffer.
 */
class VirtqueueFuzzTest {
    private static final long PAGE = 4096;
    private static final int SLOTS = 4;
    private static final long SLOT = 4 * PAGE;
    private static final long STRIDE = SLOT + PAGE;
    private static final byte GUARD = (byte) 0xA5;
    private static final int MAX_CAPACITY = 10 + 65535 + 18;
    private static final int DST_GUARD = 64;
    private static final long BASE = mapSlots();
    private static final ByteBuf DST = Unpooled.directBuffer(MAX_CAPACITY + DST_GUARD);
    private static final ByteBuf SRC = Unpooled.directBuffer(MAX_CAPACITY);
    private static final SplitVirtqueue QUEUE = new SplitVirtqueue();

    /** A PROT_NONE page, then SLOTS times (a read-write slot, a PROT_NONE page). */
    private static long mapSlots() {
        int protNone = 0;
        int protReadWrite = 3;
        int privateAnonymous = 0x02 | 0x20;
        int fixed = 0x10;
        long all = LibC.mmap(0, PAGE + SLOTS * STRIDE, protNone, privateAnonymous, -1, 0);
        if (all == -1) {
            throw new IllegalStateException("mmap of the fuzz memory failed");
        }
        for (int i = 0; i < SLOTS; i++) {
            long slot = all + PAGE + i * STRIDE;
            if (LibC.mmap(slot, SLOT, protReadWrite, privateAnonymous | fixed, -1, 0) != slot) {
                throw new IllegalStateException("mmap of a fuzz memory slot failed");
            }
        }
        return all + PAGE;
    }

    private static long slot(int i) {
        return BASE + i * STRIDE;
    }

    @FuzzTest(maxDuration = "10s")
    void hostileRingsNeverEscapeTheirMemory(FuzzedDataProvider data) throws Exception {
        for (int i = 0; i < SLOTS; i++) {
            PlatformDependent.setMemory(slot(i), SLOT, GUARD);
        }
        int count = data.consumeInt(1, SLOTS);
        MemoryRegion[] regions = new MemoryRegion[count];
        long[] hosts = new long[count];
        long[] offsetInSlot = new long[count];
        for (int i = 0; i < count; i++) {
            long size = data.consumeLong(1, SLOT);
            offsetInSlot[i] = data.consumeBoolean() ? 0 : SLOT - size; // one edge against a PROT_NONE page
            hosts[i] = slot(i) + offsetInSlot[i];
            long gpa = data.consumeBoolean() ? 0x1_0000_0000L + i * 0x10_0000L + data.consumeInt(0, 64) * 16L
                    : data.consumeLong();
            long uva = data.consumeBoolean() ? 0x7f00_0000_0000L + i * 0x10_0000L : data.consumeLong();
            regions[i] = new MemoryRegion(gpa, size, uva, 0);
        }
        GuestMemory memory;
        try {
            memory = GuestMemory.over(regions, hosts);
        } catch (VhostProtocolException refused) {
            return;
        }
        SplittableRandom noise = new SplittableRandom(data.consumeLong());
        for (int i = 0; i < count; i++) {
            for (long b = 0; b < regions[i].size(); b++) {
                PlatformDependent.putByte(hosts[i] + b, (byte) noise.nextInt());
            }
        }

        int num = data.consumeBoolean() ? 1 << data.consumeInt(0, 8) : data.consumeInt();
        int descRegion = data.consumeInt(0, count - 1);
        int availRegion = data.consumeInt(0, count - 1);
        int usedRegion = data.consumeInt(0, count - 1);
        long descUva = regions[descRegion].userAddr() + data.consumeLong(0, regions[descRegion].size()) / 16 * 16;
        long availUva = regions[availRegion].userAddr() + data.consumeLong(0, regions[availRegion].size()) / 2 * 2;
        long usedUva = regions[usedRegion].userAddr() + data.consumeLong(0, regions[usedRegion].size()) / 4 * 4;
        long features = (data.consumeBoolean() ? 1L << SplitVirtqueue.F_VERSION_1 : 0)
                | (data.consumeBoolean() ? 1L << SplitVirtqueue.F_MRG_RXBUF : 0)
                | (data.consumeBoolean() ? 1L << SplitVirtqueue.F_EVENT_IDX : 0);
        int n = num > 0 && num <= 256 ? num : 1;
        writeRings(data, memory, regions, n, descUva, availUva, usedUva);
        QUEUE.features(features);
        int started = QUEUE.start(memory, num, new VringAddress(0, 0, descUva, usedUva, availUva, 0),
                data.consumeInt(0, 0xFFFF));
        expect(started == 0 || GuestError.isError(started), "start gave " + started);

        int headerLength = QUEUE.headerLength();
        for (int op = data.consumeInt(0, 64); op > 0 && data.remainingBytes() > 0; op--) {
            switch (data.consumeInt(0, 5)) {
                case 0, 1 -> {
                    int capacity = data.consumeInt(24, MAX_CAPACITY);
                    PlatformDependent.setMemory(DST.memoryAddress() + capacity, DST_GUARD, GUARD);
                    int r = QUEUE.pop(DST.memoryAddress(), capacity);
                    expect(r == 0 || GuestError.isError(r) || (r >= 24 && r <= capacity), "pop gave " + r);
                    for (int b = 0; b < DST_GUARD; b++) {
                        expect(DST.getByte(capacity + b) == GUARD, "pop wrote past its capacity");
                    }
                }
                case 2, 3 -> {
                    int length = data.consumeInt(10, 3000);
                    int r = QUEUE.push(SRC.memoryAddress(), length);
                    expect(r == SplitVirtqueue.NO_BUFFERS || GuestError.isError(r) || r == headerLength + length - 10,
                            "push of " + length + " gave " + r);
                }
                case 4 -> QUEUE.flush();
                default -> {
                    if (data.consumeBoolean()) {
                        QUEUE.enableNotification();
                    } else {
                        QUEUE.disableNotification();
                    }
                    QUEUE.available();
                }
            }
        }
        QUEUE.flush();
        QUEUE.stop();
        for (int i = 0; i < count; i++) {
            long from = slot(i);
            long regionStart = offsetInSlot[i];
            long regionEnd = regionStart + regions[i].size();
            for (long b = 0; b < SLOT; b++) {
                if (b < regionStart || b >= regionEnd) {
                    expect(PlatformDependent.getByte(from + b) == GUARD,
                            "byte " + b + " of slot " + i + " outside its region was written");
                }
            }
        }
    }

    /** Descriptors and avail entries that mostly point somewhere plausible, so chains get walked. */
    private static void writeRings(FuzzedDataProvider data, GuestMemory memory, MemoryRegion[] regions, int num,
                                   long descUva, long availUva, long usedUva) {
        long desc = memory.uvaToHost(descUva, 16 * num);
        long avail = memory.uvaToHost(availUva, 6 + 2 * num);
        long used = memory.uvaToHost(usedUva, 6 + 8 * num);
        if (desc != 0) {
            for (int i = 0, k = Math.min(num, data.consumeInt(0, 32)); i < k; i++) {
                MemoryRegion r = regions[data.consumeInt(0, regions.length - 1)];
                long d = desc + 16L * i;
                long addr = data.consumeBoolean() ? r.guestPhysAddr() + data.consumeLong(0, r.size()) : data.consumeLong();
                PlatformDependent.putLong(d, addr);
                PlatformDependent.putInt(d + 8, data.consumeBoolean() ? data.consumeInt(0, 2048) : data.consumeInt());
                PlatformDependent.putShort(d + 12, (short) data.consumeInt(0, 7));
                PlatformDependent.putShort(d + 14, (short) data.consumeInt(0, num + 1));
            }
        }
        int availIdx = data.consumeInt(0, num + 2);
        if (avail != 0) {
            PlatformDependent.putShort(avail, (short) data.consumeInt(0, 1));
            PlatformDependent.putShort(avail + 2, (short) availIdx);
            for (int i = 0, k = Math.min(num, data.consumeInt(0, 32)); i < k; i++) {
                PlatformDependent.putShort(avail + 4 + 2L * i, (short) data.consumeInt(0, num));
            }
        }
        if (used != 0) {
            PlatformDependent.putShort(used + 2, (short) (data.consumeBoolean() ? 0 : data.consumeInt(0, 0xFFFF)));
        }
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}

package io.switchd.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded many-producer, one-consumer queue of captured frames in fixed-size slots: the
 * forwarding loops copy a frame in ({@link #offer}: no lock, no allocation, never waits; a full
 * ring refuses the frame), one control-plane thread {@link #poll}s them out. Each slot has a
 * sequence number (D. Vyukov's bounded queue): a producer claims slot {@code t} by moving the tail
 * from {@code t} to {@code t + 1} and publishes it by setting the slot's sequence to {@code t + 1}
 * with release; the consumer reads it once it sees that value with acquire and frees it by
 * setting it to {@code t + capacity}.
 *
 * <pre>
 *  slot: [port index 4][direction 4][nanos 8][original length 4][captured length 4][data: snaplen, padded to 8]
 * </pre>
 *
 * The memory is on the heap, never freed by hand: a loop that still holds a capture set naming
 * this ring after it was retired writes into memory the collector keeps alive, never freed memory.
 */
public final class CaptureRing {
    private static final int PORT_OFFSET = 0;
    private static final int DIRECTION_OFFSET = 4;
    private static final int NANOS_OFFSET = 8;
    private static final int ORIGINAL_OFFSET = 16;
    private static final int CAPTURED_OFFSET = 20;
    private static final int DATA_OFFSET = 24;

    private final ByteBuf memory;
    private final int slotSize;
    private final int snaplen;
    private final int mask;
    private final AtomicLongArray sequences;
    private final AtomicLong tail = new AtomicLong();
    /** Only the consumer's thread touches it. */
    private long head;

    /** A ring of slots for frames of up to {@code snaplen} bytes, using at most about {@code bytes} of heap. */
    public CaptureRing(int snaplen, int bytes) {
        this.snaplen = snaplen;
        this.slotSize = (DATA_OFFSET + snaplen + 7) & ~7;
        int slots = Integer.highestOneBit(Math.max(16, Math.min(65536, bytes / slotSize)));
        this.mask = slots - 1;
        this.memory = Unpooled.wrappedBuffer(new byte[slots * slotSize]);
        this.sequences = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            sequences.set(i, i);
        }
    }

    /** How many frames the ring holds. */
    public int capacity() {
        return mask + 1;
    }

    /**
     * Copies up to snaplen bytes of the frame at {@code from} ({@code length} bytes) into a free
     * slot; false, having copied nothing, when the ring is full. Any thread; lock-free.
     */
    public boolean offer(int port, int direction, long nanos, ByteBuf buf, int from, int length) {
        long t = tail.get();
        while (true) {
            long seq = sequences.getAcquire((int) t & mask);
            if (seq == t) {
                if (tail.compareAndSet(t, t + 1)) {
                    break;
                }
                t = tail.get();
            } else if (seq < t) {
                return false; // the slot a lap back is not read yet: full
            } else {
                t = tail.get(); // another producer took it
            }
        }
        int at = ((int) t & mask) * slotSize;
        int captured = Math.min(length, snaplen);
        memory.setInt(at + PORT_OFFSET, port);
        memory.setInt(at + DIRECTION_OFFSET, direction);
        memory.setLong(at + NANOS_OFFSET, nanos);
        memory.setInt(at + ORIGINAL_OFFSET, length);
        memory.setInt(at + CAPTURED_OFFSET, captured);
        memory.setBytes(at + DATA_OFFSET, buf, from, captured);
        sequences.setRelease((int) t & mask, t + 1);
        return true;
    }

    /** What {@link #poll} hands the consumer: one frame, valid until it returns. */
    @FunctionalInterface
    public interface Reader {
        /** Takes one frame: {@code length} of its {@code original} bytes at {@code from} in {@code buf}. */
        void frame(int port, int direction, long nanos, int original, ByteBuf buf, int from, int length);
    }

    /** Hands the oldest frame to {@code reader} and frees its slot; false when there is none. One thread only. */
    public boolean poll(Reader reader) {
        int i = (int) head & mask;
        if (sequences.getAcquire(i) != head + 1) {
            return false;
        }
        int at = i * slotSize;
        reader.frame(memory.getInt(at + PORT_OFFSET), memory.getInt(at + DIRECTION_OFFSET),
                memory.getLong(at + NANOS_OFFSET), memory.getInt(at + ORIGINAL_OFFSET), memory, at + DATA_OFFSET,
                memory.getInt(at + CAPTURED_OFFSET));
        sequences.setRelease(i, head + capacity());
        head++;
        return true;
    }
}

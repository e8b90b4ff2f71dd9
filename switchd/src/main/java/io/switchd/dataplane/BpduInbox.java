package io.switchd.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.port.Port;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The BPDUs one forwarding loop received, on their way to the spanning tree's thread: a bounded
 * ring with one writer (the loop) and one reader (the protocol thread). Its slots are preallocated,
 * so the loop copies a BPDU in with no allocation and no lock; when the ring is full the BPDU is
 * dropped and counted, as a lost BPDU is something the protocol already lives with.
 */
public final class BpduInbox {
    /** BPDUs waiting at most: far more than arrive between two reads even under a BPDU storm. */
    static final int SLOTS = 64;
    /** The bytes kept of each: an RST BPDU frame is 60, an MST BPDU with a few instances a little more. */
    static final int SLOT_BYTES = 256;

    /** What the protocol thread does with each BPDU read. */
    public interface Reader {
        /** The Ethernet frame of {@code length} bytes at {@code offset} in {@code frame}, received on {@code port}. */
        void bpdu(Port port, ByteBuf frame, int offset, int length);
    }

    private final ByteBuf slots = Unpooled.buffer(SLOTS * SLOT_BYTES, SLOTS * SLOT_BYTES);
    private final Port[] ports = new Port[SLOTS];
    private final int[] lengths = new int[SLOTS];
    /** Written by the loop only, released after the slot is filled. */
    private final AtomicLong tail = new AtomicLong();
    /** Written by the protocol thread only, released after the slot is read. */
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * Copies the Ethernet frame of {@code length} bytes at {@code offset} received on {@code port}
     * into the ring; the loop's thread only. False when the ring was full and the BPDU dropped.
     */
    public boolean offer(Port port, ByteBuf buf, int offset, int length) {
        long t = tail.get();
        if (t - head.get() >= SLOTS) {
            dropped.lazySet(dropped.get() + 1);
            return false;
        }
        int slot = (int) (t % SLOTS);
        int n = Math.min(length, SLOT_BYTES);
        slots.setBytes(slot * SLOT_BYTES, buf, offset, n);
        ports[slot] = port;
        lengths[slot] = n;
        tail.lazySet(t + 1);
        return true;
    }

    /** Hands every BPDU waiting to {@code reader}, oldest first; the protocol thread only. Returns how many. */
    public int drain(Reader reader) {
        long h = head.get();
        long t = tail.get();
        for (long i = h; i < t; i++) {
            int slot = (int) (i % SLOTS);
            Port port = ports[slot];
            ports[slot] = null;
            try {
                reader.bpdu(port, slots, slot * SLOT_BYTES, lengths[slot]);
            } finally {
                head.lazySet(i + 1);
            }
        }
        return (int) (t - h);
    }

    /** BPDUs dropped because the ring was full. */
    public long dropped() {
        return dropped.get();
    }
}

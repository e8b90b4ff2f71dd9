package io.switchd.vhost;

/**
 * Walks one descriptor chain of a split virtqueue, a buffer at a time, trusting nothing in it: the
 * guest may have written any value, and may change it while we walk, so every descriptor is loaded
 * once and checked before it is used. One instance per queue, reused for every chain: no allocation.
 *
 * <pre>
 *  descriptor (16 bytes, little-endian):
 *  0                 8        12       14       16
 *  +-----------------+--------+--------+--------+
 *  |  addr (guest)   |  len   | flags  |  next  |
 *  +-----------------+--------+--------+--------+
 *  flags: NEXT 1 (chain continues at next), WRITE 2 (device-writable), INDIRECT 4 (addr/len is a table)
 * </pre>
 *
 * Rules enforced: indices inside their table; at most as many descriptors as the table holds (a
 * longer chain loops); INDIRECT only on the head, never with NEXT, never inside an indirect table,
 * its table a non-empty multiple of 16 bytes of at most {@link #MAX_INDIRECT} entries, mapped in one
 * region; every buffer inside one region; no device-readable buffer after a device-writable one.
 */
final class DescriptorChain {
    static final int DESC_SIZE = 16;
    static final int ADDR = 0;
    static final int LEN = 8;
    static final int FLAGS = 12;
    static final int NEXT = 14;
    static final int F_NEXT = 1;
    static final int F_WRITE = 2;
    static final int F_INDIRECT = 4;
    /** The most entries an indirect table may have, whatever the queue size. */
    static final int MAX_INDIRECT = 1024;
    /** {@link #next()}: a buffer is in {@link #address}, {@link #length}, {@link #writable}. */
    static final int BUFFER = 1;
    /** {@link #next()}: the chain has ended. */
    static final int END = 0;

    private static final int DESC_OUT_OF_RANGE = GuestError.DESC_OUT_OF_RANGE.code();
    private static final int CHAIN_LOOP = GuestError.CHAIN_LOOP.code();
    private static final int BAD_INDIRECT = GuestError.BAD_INDIRECT.code();
    private static final int UNMAPPED_BUFFER = GuestError.UNMAPPED_BUFFER.code();
    private static final int DESC_ORDER = GuestError.DESC_ORDER.code();

    private GuestMemory memory = GuestMemory.EMPTY;
    private long queueTable;
    private int queueSize;

    private long table;
    private int tableSize;
    private int next;
    private int left;
    private boolean head;
    private boolean indirect;
    private boolean sawWritable;

    /** The current buffer's host address (0 when its length is 0). */
    long address;
    /** The current buffer's length in bytes, 0 to 2^31-1. */
    int length;
    /** Whether the current buffer is device-writable. */
    boolean writable;

    /** Points the walker at a queue's descriptor table, {@code size} entries at host address {@code table}. */
    void attach(GuestMemory memory, long table, int size) {
        this.memory = memory;
        this.queueTable = table;
        this.queueSize = size;
    }

    /** Starts walking the chain whose head is descriptor {@code head}; the caller checked head < size. */
    void start(int head) {
        table = queueTable;
        tableSize = queueSize;
        next = head;
        left = queueSize;
        this.head = true;
        indirect = false;
        sawWritable = false;
    }

    /** Moves to the chain's next buffer: {@link #BUFFER}, {@link #END}, or a {@link GuestError} code. */
    int next() {
        while (true) {
            if (next < 0) {
                return END;
            }
            if (next >= tableSize) {
                return DESC_OUT_OF_RANGE;
            }
            if (left == 0) {
                return CHAIN_LOOP;
            }
            left--;
            long d = table + (long) next * DESC_SIZE;
            long addr = GuestAccess.i64(d + ADDR);
            int len = GuestAccess.i32(d + LEN);
            int flags = GuestAccess.u16(d + FLAGS);
            int link = GuestAccess.u16(d + NEXT);
            boolean first = head;
            head = false;
            if ((flags & F_INDIRECT) != 0) {
                // the WRITE flag of the descriptor that points at a table means nothing (spec 2.6.5.3.2)
                if (indirect || !first || (flags & F_NEXT) != 0 || len <= 0 || len % DESC_SIZE != 0
                        || len / DESC_SIZE > MAX_INDIRECT) {
                    return BAD_INDIRECT;
                }
                long at = memory.gpaToHost(addr, len);
                if (at == 0) {
                    return BAD_INDIRECT;
                }
                table = at;
                tableSize = len / DESC_SIZE;
                left = tableSize;
                next = 0;
                indirect = true;
                continue;
            }
            boolean w = (flags & F_WRITE) != 0;
            if (!w && sawWritable) {
                return DESC_ORDER;
            }
            sawWritable |= w;
            long at = 0;
            if (len != 0) {
                // len is unsigned: above 2^31 reads as negative here and no region takes it
                at = memory.gpaToHost(addr, len);
                if (at == 0) {
                    return UNMAPPED_BUFFER;
                }
            }
            next = (flags & F_NEXT) != 0 ? link : -1;
            address = at;
            length = len;
            writable = w;
            return BUFFER;
        }
    }
}

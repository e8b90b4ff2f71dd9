package io.switchd.vhost;

import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * A test-side virtio driver: one queue in a direct buffer that stands for the guest's memory
 * (one region), buffers added to the avail ring and used entries read back, the way a guest's
 * virtio-net driver (or DPDK's virtio-user) would. For tests of {@link SplitVirtqueue} and of the
 * port built on it. Single-threaded: the device side runs on the test's thread, so plain stores do.
 * Over memory a frontend shares with a running switchd ({@link RingFrontend}) the device is another
 * thread: the stores stay plain, which x86 keeps in order and the kick's write(2) publishes, enough
 * for tests that kick after each change, not a model for a real driver.
 *
 * <pre>
 *  buffer (page-aligned from {@link #host(long)} offset 0, guest address {@link #GPA_BASE}):
 *  0            16*num          4096*k          data...
 *  +------------+---------------+---------------+-------------------------------+
 *  | desc table | avail ring    | used ring     | buffers (bump-allocated)      |
 *  +------------+---------------+---------------+-------------------------------+
 * </pre>
 */
public final class TestVirtioDriver implements AutoCloseable {
    /** Where the memory is in the guest's physical addresses. */
    public static final long GPA_BASE = 0x1_0000_0000L;
    /** Where it is in the frontend's user addresses (what SET_VRING_ADDR gives). */
    public static final long UVA_BASE = 0x7f00_0000_0000L;
    /** virtio_net_hdr_v1's size. */
    public static final int HEADER = 12;
    /** Descriptor flag: the chain goes on at next. */
    public static final int F_NEXT = DescriptorChain.F_NEXT;
    /** Descriptor flag: the device writes this buffer. */
    public static final int F_WRITE = DescriptorChain.F_WRITE;
    /** Descriptor flag: the buffer is a table of descriptors. */
    public static final int F_INDIRECT = DescriptorChain.F_INDIRECT;

    private final ByteBuf buffer;
    private final long host;
    private final int size;
    private final int num;
    private final long descOffset;
    private final long availOffset;
    private final long usedOffset;
    private final long dataStart;
    /** Where {@link #host} is in {@link #buffer}. */
    private final long base;
    private final long gpaBase;
    private final long uvaBase;
    private long dataNext;
    private int nextDesc;
    private int availIdx;
    private int usedSeen;
    /** For each head: the writable buffers of its chain, as {gpa, len} pairs, for reading what the device wrote. */
    private final List<List<long[]>> writableBuffers = new ArrayList<>();

    /** A queue of {@code num} descriptors in {@code size} bytes of zeroed memory. */
    public TestVirtioDriver(int num, int size) {
        this(num, size, Unpooled.directBuffer(size + 4096), 0, GPA_BASE, UVA_BASE);
    }

    /**
     * A queue of {@code num} descriptors in {@code size} bytes of memory someone else owns and
     * shares (a frontend's memfd mapping), page-aligned at {@code hostAddress}, which the guest sees
     * at {@code gpaBase} and the frontend at {@code uvaBase}. {@link #close} leaves the memory alone.
     */
    public TestVirtioDriver(int num, int size, long hostAddress, long gpaBase, long uvaBase) {
        this(num, size, Unpooled.wrappedBuffer(new Pointer(hostAddress).getByteBuffer(0, size)), hostAddress, gpaBase, uvaBase);
    }

    /** {@code host} 0: page-align within {@code buffer}, which must then be a direct buffer with an address. */
    private TestVirtioDriver(int num, int size, ByteBuf buffer, long host, long gpaBase, long uvaBase) {
        this.num = num;
        this.size = size;
        this.gpaBase = gpaBase;
        this.uvaBase = uvaBase;
        this.buffer = buffer;
        buffer.setZero(0, buffer.capacity());
        this.host = host != 0 ? host : (buffer.memoryAddress() + 4095) & -4096L;
        this.base = host != 0 ? 0 : this.host - buffer.memoryAddress();
        this.descOffset = 0;
        this.availOffset = 16L * num;
        this.usedOffset = align(availOffset + 6 + 2L * num, 4096);
        this.dataStart = align(usedOffset + 6 + 8L * num, 64);
        this.dataNext = dataStart;
        for (int i = 0; i < num; i++) {
            writableBuffers.add(new ArrayList<>());
        }
    }

    private static long align(long value, long to) {
        return (value + to - 1) & -to;
    }

    /** The queue size. */
    public int num() {
        return num;
    }

    /** The memory table: one region, the whole buffer. */
    public GuestMemory memory() {
        try {
            return GuestMemory.over(new MemoryRegion[] {region()}, new long[] {host});
        } catch (VhostProtocolException e) {
            throw new AssertionError(e);
        }
    }

    /** The one region, as SET_MEM_TABLE would describe it. */
    public MemoryRegion region() {
        return new MemoryRegion(gpaBase, size, uvaBase, 0);
    }

    /** SET_VRING_ADDR for queue {@code index}. */
    public VringAddress address(int index) {
        return new VringAddress(index, 0, uvaBase + descOffset, uvaBase + usedOffset, uvaBase + availOffset, 0);
    }

    /** The host address of byte {@code offset} of the memory. */
    public long host(long offset) {
        return host + offset;
    }

    /** The guest address of the end of the memory (one past its last byte). */
    public long gpaEnd() {
        return gpaBase + size;
    }

    /** Room for {@code length} bytes in the buffer area: its guest address. */
    public long allocate(int length) {
        long at = dataNext;
        dataNext = align(dataNext + length, 16);
        if (dataNext > size) {
            throw new IllegalStateException("test memory full");
        }
        return gpaBase + at;
    }

    /** Starts allocating buffers from the beginning of the buffer area again. */
    public void resetBuffers() {
        dataNext = dataStart;
    }

    /** The next free descriptor index (descriptors are handed out round-robin). */
    public int takeDescriptor() {
        int d = nextDesc;
        nextDesc = (nextDesc + 1) % num;
        return d;
    }

    /** Writes descriptor {@code index} of the queue's table. */
    public void writeDescriptor(int index, long gpa, int len, int flags, int next) {
        writeDescriptorAt(gpaBase + descOffset, index, gpa, len, flags, next);
    }

    /** Writes entry {@code index} of the descriptor table at guest address {@code table} (an indirect one). */
    public void writeDescriptorAt(long table, int index, long gpa, int len, int flags, int next) {
        int at = (int) (table - gpaBase) + 16 * index;
        buffer.setLongLE(off(at), gpa);
        buffer.setIntLE(off(at + 8), len);
        buffer.setShortLE(off(at + 12), flags);
        buffer.setShortLE(off(at + 14), next);
    }

    private int off(long offset) {
        return (int) (base + offset);
    }

    /** Writes {@code bytes} at guest address {@code gpa}. */
    public void write(long gpa, byte[] bytes) {
        buffer.setBytes(off(gpa - gpaBase), bytes);
    }

    /** Reads {@code length} bytes at guest address {@code gpa}. */
    public byte[] read(long gpa, int length) {
        byte[] bytes = new byte[length];
        buffer.getBytes(off(gpa - gpaBase), bytes);
        return bytes;
    }

    /**
     * Adds a transmit chain holding {@code bytes} (the 12-byte header and the frame), cut into
     * pieces of the given sizes (the last piece takes the rest), one readable descriptor each, and
     * makes it available: its head.
     */
    public int transmit(byte[] bytes, int... pieces) {
        int head = -1;
        int previous = -1;
        int at = 0;
        for (int i = 0; i <= pieces.length; i++) {
            int len = i < pieces.length ? pieces[i] : bytes.length - at;
            if (i == pieces.length && len == 0 && pieces.length > 0) {
                break;
            }
            long gpa = allocate(Math.max(len, 1));
            byte[] piece = new byte[len];
            System.arraycopy(bytes, at, piece, 0, len);
            write(gpa, piece);
            at += len;
            int d = takeDescriptor();
            writeDescriptor(d, gpa, len, 0, 0);
            if (previous >= 0) {
                link(previous, d);
            } else {
                head = d;
            }
            previous = d;
        }
        makeAvailable(head);
        return head;
    }

    /** Adds a receive chain of writable buffers of these sizes and makes it available: its head. */
    public int postReceive(int... sizes) {
        int head = -1;
        int previous = -1;
        List<long[]> buffers = null;
        for (int len : sizes) {
            long gpa = allocate(len);
            int d = takeDescriptor();
            writeDescriptor(d, gpa, len, DescriptorChain.F_WRITE, 0);
            if (previous >= 0) {
                link(previous, d);
            } else {
                head = d;
                buffers = writableBuffers.get(d);
                buffers.clear();
            }
            buffers.add(new long[] {gpa, len});
            previous = d;
        }
        makeAvailable(head);
        return head;
    }

    /** Sets NEXT on descriptor {@code from}, pointing at {@code to}. */
    public void link(int from, int to) {
        int at = (int) descOffset + 16 * from;
        buffer.setShortLE(off(at + 12), buffer.getUnsignedShortLE(off(at + 12)) | DescriptorChain.F_NEXT);
        buffer.setShortLE(off(at + 14), to);
    }

    /** Puts {@code head} in the avail ring and publishes the new avail idx. */
    public void makeAvailable(int head) {
        buffer.setShortLE(off(availOffset + 4 + 2L * (availIdx % num)), head);
        availIdx = (availIdx + 1) & 0xFFFF;
        buffer.setShortLE(off(availOffset + 2), availIdx);
    }

    /** Sets avail->idx (and the driver's own idx) to any value: for index-jump and wrap tests. */
    public void setAvailIndex(int idx) {
        availIdx = idx & 0xFFFF;
        buffer.setShortLE(off(availOffset + 2), availIdx);
    }

    /** Sets used->idx as a previous session would have left it (and where we read from). */
    public void setUsedIndex(int idx) {
        buffer.setShortLE(off(usedOffset + 2), idx);
        usedSeen = idx & 0xFFFF;
    }

    /** avail->flags (NO_INTERRUPT is 1). */
    public void setAvailFlags(int flags) {
        buffer.setShortLE(off(availOffset), flags);
    }

    /** used_event, the used index past which the driver wants a call (EVENT_IDX). */
    public void setUsedEvent(int idx) {
        buffer.setShortLE(off(availOffset + 4 + 2L * num), idx);
    }

    /** avail_event, the avail index past which the device wants a kick (EVENT_IDX). */
    public int availEvent() {
        return buffer.getUnsignedShortLE(off(usedOffset + 4 + 8L * num));
    }

    /** used->flags (NO_NOTIFY is 1). */
    public int usedFlags() {
        return buffer.getUnsignedShortLE(off(usedOffset));
    }

    /** used->idx as the device last published it. */
    public int usedIndex() {
        return buffer.getUnsignedShortLE(off(usedOffset + 2));
    }

    /** The next used entry the driver has not read ({id, len}), or null when there is none. */
    public int[] nextUsed() {
        if (usedSeen == usedIndex()) {
            return null;
        }
        long at = usedOffset + 4 + 8L * (usedSeen % num);
        usedSeen = (usedSeen + 1) & 0xFFFF;
        return new int[] {buffer.getIntLE(off(at)), buffer.getIntLE(off(at + 4))};
    }

    /** The first {@code length} bytes the device wrote into receive chain {@code head}'s buffers. */
    public byte[] received(int head, int length) {
        byte[] out = new byte[length];
        int at = 0;
        for (long[] b : writableBuffers.get(head)) {
            int n = (int) Math.min(b[1], length - at);
            System.arraycopy(read(b[0], n), 0, out, at, n);
            at += n;
            if (at == length) {
                break;
            }
        }
        return out;
    }

    @Override
    public void close() {
        buffer.release();
    }
}

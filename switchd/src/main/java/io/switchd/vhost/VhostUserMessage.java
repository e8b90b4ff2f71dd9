package io.switchd.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A flyweight over one vhost-user message in a reusable direct buffer, which recvmsg reads into
 * and send writes from (its {@link #address()}). All numbers are in the machine's byte order,
 * little-endian on the platforms switchd runs on. The payload layouts used here:
 *
 * <pre>
 *  header (12 bytes)
 *   0                   4                   8                   12
 *  +-------------------+-------------------+-------------------+------------------
 *  | request u32       | flags u32         | size u32          | payload (size bytes)
 *  +-------------------+-------------------+-------------------+------------------
 *  flags: bits 0-1 version (1), bit 2 reply, bit 3 need_reply
 *
 *  u64 (8):            [value u64]
 *  vring state (8):    [index u32][num u32]
 *  vring addr (40):    [index u32][flags u32][desc u64][used u64][avail u64][log u64]
 *  memory table (8 + 32 n, n &lt;= 8):
 *                      [nregions u32][padding u32][region 0] ... [region n-1]
 *  single region (40): [padding u64][region]
 *  region (32):        [guest phys addr u64][size u64][user addr u64][mmap offset u64]
 *  vring fd (u64):     bits 0-7 index, bit 8 no descriptor (poll instead)
 * </pre>
 *
 * Reading a region or a ring address makes a small record: messages are rare, and the backend
 * keeps what it is given.
 */
public final class VhostUserMessage {
    public static final int REQUEST_OFFSET = 0;
    public static final int FLAGS_OFFSET = 4;
    public static final int SIZE_OFFSET = 8;
    public static final int HEADER_SIZE = 12;
    public static final int PAYLOAD_OFFSET = HEADER_SIZE;

    public static final int VERSION = 0x1;
    public static final int VERSION_MASK = 0x3;
    public static final int FLAG_REPLY = 0x4;
    public static final int FLAG_NEED_REPLY = 0x8;

    /** The largest payload accepted: far above the largest request switchd handles (a memory table, 264 bytes). */
    public static final int MAX_PAYLOAD = 4096;
    /** The most memory regions one table holds, and the most descriptors one message may carry. */
    public static final int MAX_REGIONS = 8;

    public static final int U64_SIZE = 8;
    public static final int STATE_INDEX = 0;
    public static final int STATE_NUM = 4;
    public static final int STATE_SIZE = 8;
    public static final int ADDR_INDEX = 0;
    public static final int ADDR_FLAGS = 4;
    public static final int ADDR_DESC = 8;
    public static final int ADDR_USED = 16;
    public static final int ADDR_AVAIL = 24;
    public static final int ADDR_LOG = 32;
    public static final int ADDR_SIZE = 40;
    public static final int MEM_NREGIONS = 0;
    public static final int MEM_REGIONS = 8;
    public static final int REGION_GUEST_ADDR = 0;
    public static final int REGION_SIZE = 8;
    public static final int REGION_USER_ADDR = 16;
    public static final int REGION_MMAP_OFFSET = 24;
    public static final int REGION_BYTES = 32;
    public static final int SINGLE_REGION = 8;
    public static final int SINGLE_REGION_SIZE = SINGLE_REGION + REGION_BYTES;
    /** The vring-fd u64's flag: no descriptor was passed. */
    public static final long VRING_NOFD = 1L << 8;
    public static final long VRING_INDEX_MASK = 0xff;

    private final ByteBuf buf = Unpooled.directBuffer(HEADER_SIZE + MAX_PAYLOAD, HEADER_SIZE + MAX_PAYLOAD);
    private final long address = buf.memoryAddress();

    /** A message buffer of {@link #HEADER_SIZE} + {@link #MAX_PAYLOAD} bytes, zeroed. */
    public VhostUserMessage() {
        buf.setZero(0, buf.capacity());
    }

    /** The native address of the message's first byte. */
    public long address() {
        return address;
    }

    /** The buffer's capacity: header and the largest payload. */
    public int capacity() {
        return buf.capacity();
    }

    /** The request id. */
    public int request() {
        return buf.getIntLE(REQUEST_OFFSET);
    }

    /** The flags word. */
    public int flags() {
        return buf.getIntLE(FLAGS_OFFSET);
    }

    /** The payload size as the header says it (unsigned: may be huge from an untrusted sender). */
    public long size() {
        return buf.getUnsignedIntLE(SIZE_OFFSET);
    }

    /** The header's version bits. */
    public int version() {
        return flags() & VERSION_MASK;
    }

    /** Whether the sender set need_reply. */
    public boolean needReply() {
        return (flags() & FLAG_NEED_REPLY) != 0;
    }

    /** Whether the reply bit is set. */
    public boolean isReply() {
        return (flags() & FLAG_REPLY) != 0;
    }

    /** The message's length on the wire, header and payload (valid once the size is bounded). */
    public int length() {
        return HEADER_SIZE + (int) size();
    }

    /** Writes a header: request, flags, payload size. */
    public VhostUserMessage header(int request, int flags, int size) {
        buf.setIntLE(REQUEST_OFFSET, request);
        buf.setIntLE(FLAGS_OFFSET, flags);
        buf.setIntLE(SIZE_OFFSET, size);
        return this;
    }

    /** The u64 payload. */
    public long u64() {
        return buf.getLongLE(PAYLOAD_OFFSET);
    }

    /** Writes a u64 payload (the header is not touched). */
    public VhostUserMessage u64(long value) {
        buf.setLongLE(PAYLOAD_OFFSET, value);
        return this;
    }

    /** A vring state's index. */
    public int stateIndex() {
        return buf.getIntLE(PAYLOAD_OFFSET + STATE_INDEX);
    }

    /** A vring state's number. */
    public int stateNum() {
        return buf.getIntLE(PAYLOAD_OFFSET + STATE_NUM);
    }

    /** Writes a vring state payload. */
    public VhostUserMessage state(int index, int num) {
        buf.setIntLE(PAYLOAD_OFFSET + STATE_INDEX, index);
        buf.setIntLE(PAYLOAD_OFFSET + STATE_NUM, num);
        return this;
    }

    /** The vring address payload. */
    public VringAddress vringAddress() {
        int p = PAYLOAD_OFFSET;
        return new VringAddress(buf.getIntLE(p + ADDR_INDEX), buf.getIntLE(p + ADDR_FLAGS),
                buf.getLongLE(p + ADDR_DESC), buf.getLongLE(p + ADDR_USED), buf.getLongLE(p + ADDR_AVAIL),
                buf.getLongLE(p + ADDR_LOG));
    }

    /** Writes a vring address payload. */
    public VhostUserMessage vringAddress(VringAddress a) {
        int p = PAYLOAD_OFFSET;
        buf.setIntLE(p + ADDR_INDEX, a.index());
        buf.setIntLE(p + ADDR_FLAGS, a.flags());
        buf.setLongLE(p + ADDR_DESC, a.descUserAddr());
        buf.setLongLE(p + ADDR_USED, a.usedUserAddr());
        buf.setLongLE(p + ADDR_AVAIL, a.availUserAddr());
        buf.setLongLE(p + ADDR_LOG, a.logGuestAddr());
        return this;
    }

    /** A memory table's region count (unsigned, untrusted). */
    public long regionCount() {
        return buf.getUnsignedIntLE(PAYLOAD_OFFSET + MEM_NREGIONS);
    }

    /** Region {@code i} of a memory table ({@code i} below {@link #MAX_REGIONS}). */
    public MemoryRegion region(int i) {
        return regionAt(PAYLOAD_OFFSET + MEM_REGIONS + i * REGION_BYTES);
    }

    /** Writes a memory table payload of these regions (at most {@link #MAX_REGIONS}); returns its size. */
    public int memoryTable(MemoryRegion... regions) {
        buf.setIntLE(PAYLOAD_OFFSET + MEM_NREGIONS, regions.length);
        buf.setIntLE(PAYLOAD_OFFSET + MEM_NREGIONS + 4, 0);
        for (int i = 0; i < regions.length; i++) {
            regionAt(PAYLOAD_OFFSET + MEM_REGIONS + i * REGION_BYTES, regions[i]);
        }
        return MEM_REGIONS + regions.length * REGION_BYTES;
    }

    /** The single region of ADD_MEM_REG and REM_MEM_REG. */
    public MemoryRegion singleRegion() {
        return regionAt(PAYLOAD_OFFSET + SINGLE_REGION);
    }

    /** Writes a single-region payload. */
    public VhostUserMessage singleRegion(MemoryRegion region) {
        buf.setLongLE(PAYLOAD_OFFSET, 0);
        regionAt(PAYLOAD_OFFSET + SINGLE_REGION, region);
        return this;
    }

    /** Copies raw bytes into the payload at {@code offset} (tests craft odd messages with it). */
    public VhostUserMessage payloadBytes(int offset, byte[] bytes) {
        buf.setBytes(PAYLOAD_OFFSET + offset, bytes);
        return this;
    }

    /** Frees the buffer; the message is unusable afterwards. */
    public void release() {
        buf.release();
    }

    private MemoryRegion regionAt(int at) {
        return new MemoryRegion(buf.getLongLE(at + REGION_GUEST_ADDR), buf.getLongLE(at + REGION_SIZE),
                buf.getLongLE(at + REGION_USER_ADDR), buf.getLongLE(at + REGION_MMAP_OFFSET));
    }

    private void regionAt(int at, MemoryRegion r) {
        buf.setLongLE(at + REGION_GUEST_ADDR, r.guestPhysAddr());
        buf.setLongLE(at + REGION_SIZE, r.size());
        buf.setLongLE(at + REGION_USER_ADDR, r.userAddr());
        buf.setLongLE(at + REGION_MMAP_OFFSET, r.mmapOffset());
    }
}

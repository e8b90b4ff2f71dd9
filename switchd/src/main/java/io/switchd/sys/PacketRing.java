package io.switchd.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A packet socket's TPACKET_V2 receive ring, mapped into our memory: the kernel writes each frame
 * it receives into the next slot and hands the slot over by setting its status; we read the frame
 * in place and hand the slot back by clearing the status. Frames that arrive while the loop is busy
 * wait in the ring, so one wake-up takes many of them and no system call moves a frame.
 *
 * <p>Why V2 and not V3: a V3 ring hands frames over a block at a time, and a block that is not full
 * is handed over only by its timer (1 ms at the least, in jiffies), so a lone frame waits for it;
 * V2 wakes the reader per frame. Frames too big for a slot (over 180 bytes, TSO super-frames among
 * them) are cut short in the ring, marked {@link #COPY}, and queued in full on the socket
 * (PACKET_COPY_THRESH), where a recvmmsg takes them in the same order; the queue's memory is
 * taken only while frames wait in it, where a ring's is taken for good.
 *
 * <pre>
 *  slot (SLOT_SIZE bytes), struct tpacket2_hdr first:
 *  0        4        8        12   14   16       20       24   26   28      32             52
 *  +--------+--------+--------+----+----+--------+--------+----+----+-------+--------------+
 *  | status |  len   |snaplen |mac |net |  sec   |  nsec  |tci |tpid|  pad  | sockaddr_ll  | ...
 *  +--------+--------+--------+----+----+--------+--------+----+----+-------+--------------+
 *  ... free (at least 14 bytes: room for a tag) | virtio_net_hdr (10) | frame at mac, snaplen bytes
 * </pre>
 */
public final class PacketRing implements AutoCloseable {
    /** Slot status: the slot is ours to read. */
    public static final int USER = 1;
    /** Slot status: the frame did not fit; it waits in full on the socket's queue. */
    public static final int COPY = 1 << 1;
    /** Slot status: tci holds the frame's VLAN tag, which the kernel took off. */
    public static final int VLAN_VALID = 1 << 4;
    /** Slot status: tpid holds the tag's TPID. */
    public static final int VLAN_TPID_VALID = 1 << 6;
    /**
     * One slot: headers, a virtio-net header and a small frame (up to 180 bytes: every TCP ACK,
     * ARP, ping and 64-byte test frame). Small slots hold eight times the frames of MTU-sized ones
     * in the same memory, so a burst of a thousand small frames waits here, not dropped; a bigger
     * frame takes a slot too, marked {@link #COPY}, its bytes in the socket's queue.
     */
    public static final int SLOT_SIZE = 256;
    private static final int STATUS = 0;
    private static final int LEN = 4;
    private static final int SNAPLEN = 8;
    private static final int MAC = 12;
    private static final int VLAN_TCI = 24;
    private static final int VLAN_TPID = 26;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_SHARED = 1;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final long address;
    private final int size;
    private final int slots;
    private final ByteBuf buf;
    private final ByteBuffer statuses;
    private int next;

    private PacketRing(long address, int slots) {
        this.address = address;
        this.slots = slots;
        this.size = slots * SLOT_SIZE;
        // a JNI direct buffer: Netty's own wrapping of an address needs reflection the JDK denies
        this.statuses = new Pointer(address).getByteBuffer(0, size);
        this.buf = Unpooled.wrappedBuffer(statuses);
    }

    /**
     * Maps the ring that {@link PacketSockets#openRing} set up on {@code fd}, {@code slots} slots of
     * {@link #SLOT_SIZE} bytes.
     */
    public static PacketRing map(int fd, int slots, String name) throws SysException {
        long length = (long) slots * SLOT_SIZE;
        long address = LibC.mmap(0L, length, PROT_READ_WRITE, MAP_SHARED, fd, 0L);
        if (address == -1L) {
            throw SysException.of("mmap packet ring " + name, Native.getLastError());
        }
        return new PacketRing(address, slots);
    }

    /** The whole ring as a buffer, for frames to be read, edited and written in place. */
    public ByteBuf buffer() {
        return buf;
    }

    /**
     * Where the next slot starts in {@link #buffer()} if the kernel has handed it over, else -1.
     * Its status is read with acquire semantics: the frame the kernel wrote before it is visible.
     */
    public int ready() {
        return ready(0);
    }

    /**
     * Where the slot {@code ahead} places after the next one starts if the kernel has handed it
     * over, else -1, as {@link #ready()}: for a look at the slots the next releases will reach.
     */
    public int ready(int ahead) {
        int i = next + ahead;
        int at = (i < slots ? i : i - slots) * SLOT_SIZE;
        return ((int) INT.getAcquire(statuses, at) & USER) != 0 ? at : -1;
    }

    /** Hands the slot {@link #ready()} returned back to the kernel, after everything read or written in it. */
    public void release() {
        INT.setRelease(statuses, next * SLOT_SIZE + STATUS, 0);
        next = next + 1 == slots ? 0 : next + 1;
    }

    /** The status of the slot at {@code slot}. */
    public int status(int slot) {
        return buf.getIntLE(slot + STATUS);
    }

    /** How long the frame was on the wire. */
    public int length(int slot) {
        return buf.getIntLE(slot + LEN);
    }

    /** How many of its bytes are in the slot. */
    public int captured(int slot) {
        return buf.getIntLE(slot + SNAPLEN);
    }

    /** Where the frame starts in the slot (its virtio-net header just before). */
    public int frameOffset(int slot) {
        return buf.getUnsignedShortLE(slot + MAC);
    }

    /** The VLAN tag the kernel took off, valid when the status says {@link #VLAN_VALID}. */
    public int vlanTci(int slot) {
        return buf.getUnsignedShortLE(slot + VLAN_TCI);
    }

    /** The TPID of that tag, valid when the status says {@link #VLAN_TPID_VALID}. */
    public int vlanTpid(int slot) {
        return buf.getUnsignedShortLE(slot + VLAN_TPID);
    }

    /** The bytes the ring maps, which count in the process's resident memory. */
    public int size() {
        return size;
    }

    @Override
    public void close() {
        LibC.munmap(address, size);
    }
}

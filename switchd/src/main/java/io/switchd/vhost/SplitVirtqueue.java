package io.switchd.vhost;

import io.switchd.sys.VirtioNetHeader;

import java.lang.invoke.VarHandle;

/**
 * One virtio-net split virtqueue (virtio 1.1, 2.6) in memory a vhost-user frontend shares with us:
 * a flyweight over its descriptor table, avail ring and used ring, that takes frames the guest
 * transmits ({@link #pop}) or gives frames to the guest ({@link #push}), batches the used entries
 * and publishes them once per {@link #flush()}. Everything the guest wrote is untrusted: a bad ring
 * or chain gives a {@link GuestError} code, never an exception, and never an access outside the
 * guest's mapped regions. Single-threaded: the loop that owns the port calls it; the per-frame
 * methods allocate nothing.
 *
 * <pre>
 *  Descriptor table (desc, 16-byte aligned, driver-written), num entries:
 *  0                 8        12   14   16
 *  +-----------------+--------+----+----+
 *  |  addr (guest)   |  len   |flag|next|  x num       (see DescriptorChain)
 *  +-----------------+--------+----+----+
 *
 *  Avail ring (avail, 2-byte aligned, driver-written):
 *  0      2      4                              4+2*num      6+2*num
 *  +------+------+--------+--------+ ... +------+------------+
 *  |flags | idx  |ring[0] |ring[1] |     |ring[num-1] |used_event|   (used_event: EVENT_IDX only)
 *  +------+------+--------+--------+ ... +------+------------+
 *   flags bit 0: NO_INTERRUPT (the driver wants no call); ring[i]: head descriptor index
 *
 *  Used ring (used, 4-byte aligned, device-written):
 *  0      2      4               12                     4+8*num       6+8*num
 *  +------+------+-------+-------+ ... +-------+-------+-------------+
 *  |flags | idx  |id (4) |len (4)|     |id     |len    | avail_event |   (avail_event: EVENT_IDX only)
 *  +------+------+-------+-------+ ... +-------+-------+-------------+
 *   flags bit 0: NO_NOTIFY (the device wants no kick); id: head index; len: bytes written
 * </pre>
 *
 * All indices are free-running 16-bit counters; ring slot = index &amp; (num - 1).
 *
 * <p>Frames cross in switchd's form: the 10-byte {@link VirtioNetHeader} and the frame after it.
 * In the guest's buffers the header is the {@code virtio_net_hdr_v1} of {@link #headerLength()}
 * bytes: 12 when VERSION_1 or MRG_RXBUF is negotiated (the last two bytes, num_buffers, say how
 * many chains a received frame took), else 10. The header's offload fields are copied as they are:
 * the port makes them fit what the guest negotiated.
 *
 * <p>Lifecycle: {@link #features}, then {@link #start}; {@link #remap} after the memory table
 * changes (before the old table is unmapped); {@link #flush} then {@link #stop} to stop.
 */
public final class SplitVirtqueue {
    /** virtio-net: the guest can take a frame spread over several chains (num_buffers). */
    public static final int F_MRG_RXBUF = 15;
    /** Descriptors may point at indirect tables. */
    public static final int F_INDIRECT_DESC = 28;
    /** used_event / avail_event suppress notifications instead of the flags. */
    public static final int F_EVENT_IDX = 29;
    /** virtio 1.x: little-endian rings and the 12-byte header. */
    public static final int F_VERSION_1 = 32;

    /** {@link #push}: the guest has no room for this frame now; drop it and count egress-full. */
    public static final int NO_BUFFERS = -1;
    /** The largest queue a split virtqueue may have. */
    public static final int MAX_SIZE = 32768;

    static final int AVAIL_FLAGS = 0;
    static final int AVAIL_IDX = 2;
    static final int AVAIL_RING = 4;
    static final int USED_FLAGS = 0;
    static final int USED_IDX = 2;
    static final int USED_RING = 4;
    static final int USED_ELEM_SIZE = 8;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    static final int USED_F_NO_NOTIFY = 1;
    /** The shortest frame a guest may transmit: an Ethernet header. */
    static final int ETH_HLEN = 14;

    private static final int INTERNAL = VirtioNetHeader.SIZE;
    private static final int AVAIL_INDEX_JUMP = GuestError.AVAIL_INDEX_JUMP.code();
    private static final int DESC_OUT_OF_RANGE = GuestError.DESC_OUT_OF_RANGE.code();
    private static final int BUFFER_TOO_SMALL = GuestError.BUFFER_TOO_SMALL.code();
    private static final int FRAME_TOO_LONG = GuestError.FRAME_TOO_LONG.code();
    private static final int UNMAPPED_RING = GuestError.UNMAPPED_RING.code();
    private static final int BAD_QUEUE_SIZE = GuestError.BAD_QUEUE_SIZE.code();

    private final DescriptorChain chain = new DescriptorChain();

    private boolean eventIdx;
    private boolean mergeable;
    private int headerLength = 12;

    private VringAddress address;
    private boolean ready;
    private int num;
    private int mask;
    private long avail;
    private long used;

    /** The next avail index we read (16 bits). */
    private int lastAvail;
    /** avail->idx as last loaded: entries up to it are ours without another load and fence. */
    private int availSeen;
    /** The next used index we write: entries up to it are written, maybe not yet published. */
    private int usedNext;
    /** The used index the guest can see (last flush). */
    private int usedPublished;
    /** False until the first flush: the first one always calls, as DPDK does. */
    private boolean published;

    /** Sets what the frontend negotiated (SET_FEATURES); before {@link #start}. */
    public void features(long acked) {
        eventIdx = (acked & (1L << F_EVENT_IDX)) != 0;
        mergeable = (acked & (1L << F_MRG_RXBUF)) != 0;
        headerLength = mergeable || (acked & (1L << F_VERSION_1)) != 0 ? 12 : 10;
    }

    /** The size of the virtio-net header in the guest's buffers: 12 or 10. */
    public int headerLength() {
        return headerLength;
    }

    /**
     * Starts the queue: {@code num} descriptors, its parts where {@code address} says (frontend
     * user addresses, translated through {@code memory}), reading avail entries from {@code base}
     * (SET_VRING_BASE). Returns 0, or {@link GuestError#BAD_QUEUE_SIZE} / {@link GuestError#UNMAPPED_RING}
     * codes (the queue then stays stopped). When base differs from the used ring's idx, buffers
     * were taken and never given back (a backend crash): as DPDK does, we go on from used->idx, so
     * they are taken again instead of lost to the guest.
     */
    public int start(GuestMemory memory, int num, VringAddress address, int base) {
        ready = false;
        if (num <= 0 || num > MAX_SIZE || (num & (num - 1)) != 0) {
            return BAD_QUEUE_SIZE;
        }
        this.num = num;
        this.mask = num - 1;
        this.address = address;
        int result = translate(memory);
        if (result != 0) {
            return result;
        }
        int usedNow = GuestAccess.u16(used + USED_IDX);
        lastAvail = (base & 0xFFFF) == usedNow ? base & 0xFFFF : usedNow;
        availSeen = lastAvail;
        usedNext = usedNow;
        usedPublished = usedNow;
        published = false;
        ready = true;
        enableNotification();
        return 0;
    }

    /**
     * Moves the queue to a new memory table (after SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG), its
     * indices kept: 0, or {@link GuestError#UNMAPPED_RING} (the queue stops) when a part of it is
     * no longer mapped.
     */
    public int remap(GuestMemory memory) {
        if (address == null) {
            return UNMAPPED_RING;
        }
        int result = translate(memory);
        if (result != 0) {
            ready = false;
        }
        return result;
    }

    private int translate(GuestMemory memory) {
        long d = memory.uvaToHost(address.descUserAddr(), DescriptorChain.DESC_SIZE * num);
        long a = memory.uvaToHost(address.availUserAddr(), AVAIL_RING + 2 * num + (eventIdx ? 2 : 0));
        long u = memory.uvaToHost(address.usedUserAddr(), USED_RING + USED_ELEM_SIZE * num + (eventIdx ? 2 : 0));
        // alignment in our addresses is what keeps a 16-bit index store single-copy atomic
        if (d == 0 || a == 0 || u == 0 || (d & 15) != 0 || (a & 1) != 0 || (u & 3) != 0) {
            return UNMAPPED_RING;
        }
        avail = a;
        used = u;
        chain.attach(memory, d, num);
        return 0;
    }

    /** Stops the queue and returns the next avail index it would read (GET_VRING_BASE); flush first. */
    public int stop() {
        ready = false;
        return lastAvail;
    }

    /** Whether the queue is started. */
    public boolean ready() {
        return ready;
    }

    /** The next avail index the queue reads. */
    public int nextAvailIndex() {
        return lastAvail;
    }

    /** The queue size. */
    public int size() {
        return num;
    }

    /**
     * How many chains the guest has made available and we have not taken: 0 to num, or
     * {@link GuestError#AVAIL_INDEX_JUMP}'s code when avail->idx is more than num ahead of us.
     */
    public int available() {
        if (!ready) {
            return 0;
        }
        if (availSeen == lastAvail) {
            int idx = loadAvailIdx();
            if (((idx - lastAvail) & 0xFFFF) > num) {
                return AVAIL_INDEX_JUMP;
            }
            availSeen = idx;
        }
        return (availSeen - lastAvail) & 0xFFFF;
    }

    private int loadAvailIdx() {
        int idx = GuestAccess.u16(avail + AVAIL_IDX);
        // acquire: the avail->idx load above comes before every load of ring entries and of the
        // descriptors and buffers they name, so we see what the driver wrote before publishing idx
        VarHandle.acquireFence();
        return idx;
    }

    /**
     * Takes the next chain the guest transmitted (its TX queue, odd index) and copies it to
     * {@code dst} as switchd's 10-byte header and the frame, at most {@code capacity} bytes (at
     * least {@link VirtioNetHeader#SIZE} + 14): the bytes written, 0 when nothing is available, or
     * a {@link GuestError} code (the frame is dropped and, when its head was valid, the chain is
     * given back with length 0). A frame that does not fit in capacity is
     * {@link GuestError#FRAME_TOO_LONG}: give capacity room for 64 KB and a header.
     */
    public int pop(long dst, int capacity) {
        if (capacity < INTERNAL + ETH_HLEN) {
            throw new IllegalArgumentException("capacity " + capacity + " cannot hold a header and a frame");
        }
        int count = available();
        if (count <= 0) {
            return count;
        }
        int head = GuestAccess.u16(avail + AVAIL_RING + 2L * (lastAvail & mask));
        lastAvail = (lastAvail + 1) & 0xFFFF;
        if (head >= num) {
            return DESC_OUT_OF_RANGE;
        }
        int result = copyOut(head, dst, capacity);
        addUsed(head, 0); // the device wrote nothing into a transmitted chain
        return result;
    }

    private int copyOut(int head, long dst, int capacity) {
        int hdr = headerLength;
        long pos = 0;
        chain.start(head);
        int step;
        while ((step = chain.next()) == DescriptorChain.BUFFER) {
            if (chain.writable) {
                continue; // a transmitted chain's writable part is not for us to read
            }
            long from = chain.address;
            long len = chain.length;
            if (pos < hdr) {
                // header bytes: the first 10 are switchd's header, num_buffers (10..11) means nothing on transmit
                long inHeader = Math.min(len, hdr - pos);
                long keep = Math.min(pos + inHeader, INTERNAL) - pos;
                if (keep > 0) {
                    GuestAccess.copy(from, dst + pos, keep);
                }
                from += inHeader;
                len -= inHeader;
                pos += inHeader;
            }
            if (len > 0) {
                long at = INTERNAL + pos - hdr;
                if (at + len > capacity) {
                    return FRAME_TOO_LONG;
                }
                GuestAccess.copy(from, dst + at, len);
                pos += len;
            }
        }
        if (step != DescriptorChain.END) {
            return step;
        }
        if (pos < hdr + ETH_HLEN) {
            return BUFFER_TOO_SMALL;
        }
        return (int) (INTERNAL + pos - hdr);
    }

    /**
     * Gives the guest a frame (its RX queue, index 0): {@code src} holds switchd's 10-byte header
     * and the frame, {@code length} bytes in all. Writes the guest's header and the frame into the
     * next chain's device-writable buffers, or with MRG_RXBUF into as many chains as it takes
     * (num_buffers says how many). Returns the bytes written to the guest, {@link #NO_BUFFERS} when
     * the guest has no room for it (nothing is taken: drop the frame, count egress-full; without
     * MRG_RXBUF this also means the next chain is too small for this frame, as in DPDK), or a
     * {@link GuestError} code (the frame is dropped; the chains it took are given back with length 0).
     */
    public int push(long src, int length) {
        if (length < INTERNAL) {
            throw new IllegalArgumentException("length " + length + " cannot hold switchd's header");
        }
        if (!ready) {
            return NO_BUFFERS;
        }
        int hdr = headerLength;
        long total = hdr + (long) (length - INTERNAL);
        int startAvail = lastAvail;
        int startUsed = usedNext;
        long pos = 0;
        int buffers = 0;
        long numBuffersLow = 0;
        long numBuffersHigh = 0;
        while (pos < total) {
            if (buffers == 1 && !mergeable) {
                return rollBack(startAvail, startUsed, NO_BUFFERS);
            }
            int count = available();
            if (count <= 0) {
                return rollBack(startAvail, startUsed, count == 0 ? NO_BUFFERS : count);
            }
            int head = GuestAccess.u16(avail + AVAIL_RING + 2L * (lastAvail & mask));
            lastAvail = (lastAvail + 1) & 0xFFFF;
            if (head >= num) {
                return abandon(startUsed, -1, DESC_OUT_OF_RANGE);
            }
            long chainStart = pos;
            chain.start(head);
            int step;
            while (pos < total && (step = chain.next()) != DescriptorChain.END) {
                if (step != DescriptorChain.BUFFER) {
                    return abandon(startUsed, head, step);
                }
                if (!chain.writable) {
                    continue; // device-readable buffers come first and hold nothing for us
                }
                long to = chain.address;
                long len = chain.length;
                while (len > 0 && pos < total) {
                    long n;
                    if (pos < INTERNAL) {
                        n = Math.min(len, INTERNAL - pos);
                        GuestAccess.copy(src + pos, to, n);
                    } else if (pos < hdr) {
                        // num_buffers, known only at the end: remember where its two bytes go
                        n = Math.min(len, hdr - pos);
                        for (long k = 0; k < n; k++) {
                            if (pos + k == INTERNAL) {
                                numBuffersLow = to + k;
                            } else {
                                numBuffersHigh = to + k;
                            }
                        }
                    } else {
                        n = Math.min(len, total - pos);
                        GuestAccess.copy(src + INTERNAL + (pos - hdr), to, n);
                    }
                    to += n;
                    len -= n;
                    pos += n;
                }
            }
            long written = pos - chainStart;
            if (written == 0 || (buffers == 0 && pos < hdr)) {
                return abandon(startUsed, head, BUFFER_TOO_SMALL);
            }
            addUsed(head, (int) written);
            buffers++;
        }
        if (hdr > INTERNAL) {
            GuestAccess.putByte(numBuffersLow, buffers);
            GuestAccess.putByte(numBuffersHigh, buffers >>> 8);
        }
        return (int) total;
    }

    /** Puts back the chains a frame took, untouched as far as the guest can tell: they stay available. */
    private int rollBack(int startAvail, int startUsed, int result) {
        lastAvail = startAvail;
        usedNext = startUsed;
        return result;
    }

    /**
     * Drops a frame on a guest error: the chains it took are given back with length 0 (the guest
     * reuses them), and so is the bad chain when its head is valid ({@code head} >= 0).
     */
    private int abandon(int startUsed, int head, int error) {
        for (int i = startUsed; i != usedNext; i = (i + 1) & 0xFFFF) {
            GuestAccess.putI32(used + USED_RING + (long) USED_ELEM_SIZE * (i & mask) + 4, 0);
        }
        if (head >= 0) {
            addUsed(head, 0);
        }
        return error;
    }

    private void addUsed(int head, int len) {
        long element = used + USED_RING + (long) USED_ELEM_SIZE * (usedNext & mask);
        GuestAccess.putI32(element, head);
        GuestAccess.putI32(element + 4, len);
        usedNext = (usedNext + 1) & 0xFFFF;
    }

    /**
     * Publishes the used entries written since the last flush (one store of used->idx) and tells
     * whether the guest wants to be called (its call eventfd signalled): with EVENT_IDX when the new
     * entries pass used_event, else unless avail->flags has NO_INTERRUPT. Call once per batch, and
     * at least once per {@link #size()} frames.
     */
    public boolean flush() {
        if (!ready || usedNext == usedPublished) {
            return false;
        }
        // release: the used elements (and, on receive, the frame bytes in the guest's buffers) are
        // stored before used->idx, so a driver that sees the new idx sees them too
        VarHandle.releaseFence();
        GuestAccess.putU16(used + USED_IDX, usedNext);
        int old = usedPublished;
        usedPublished = usedNext;
        // full fence: the used->idx store above must be visible before we load used_event / flags
        // below; otherwise a driver that set them after reading the old idx would sleep uncalled
        VarHandle.fullFence();
        boolean call;
        if (eventIdx) {
            int usedEvent = GuestAccess.u16(avail + AVAIL_RING + 2L * num);
            call = !published || needEvent(usedEvent, usedNext, old);
        } else {
            call = (GuestAccess.u16(avail + AVAIL_FLAGS) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        published = true;
        return call;
    }

    /** virtio's vring_need_event: whether moving an index from old to now passes event. */
    static boolean needEvent(int event, int now, int old) {
        return ((now - event - 1) & 0xFFFF) < ((now - old) & 0xFFFF);
    }

    /**
     * Asks the guest to kick when it makes buffers available (EVENT_IDX: avail_event = the next
     * index we read; else clears NO_NOTIFY). Returns true when buffers are already available: the
     * guest may have added them before it saw our request, without a kick, so poll again.
     */
    public boolean enableNotification() {
        if (!ready) {
            return false;
        }
        if (eventIdx) {
            GuestAccess.putU16(used + USED_RING + (long) USED_ELEM_SIZE * num, lastAvail);
        } else {
            GuestAccess.putU16(used + USED_FLAGS, 0);
        }
        // full fence: the store above comes before the avail->idx load below (store-load order),
        // else a buffer added between the two would neither kick us nor be seen here
        VarHandle.fullFence();
        return loadAvailIdx() != lastAvail;
    }

    /**
     * Tells the guest it need not kick while we poll (sets NO_NOTIFY; with EVENT_IDX nothing is
     * written: avail_event stays behind, so the guest kicks at most once until it is enabled again).
     */
    public void disableNotification() {
        if (ready && !eventIdx) {
            GuestAccess.putU16(used + USED_FLAGS, USED_F_NO_NOTIFY);
        }
    }
}

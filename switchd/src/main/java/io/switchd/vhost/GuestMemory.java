package io.switchd.vhost;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.switchd.sys.Errno;
import io.switchd.sys.LibC;

import java.util.Arrays;

/**
 * The frontend's memory as we see it: an immutable table of regions, each mapped into our address
 * space, that turns the guest physical addresses descriptors carry (and the frontend's user
 * addresses that SET_VRING_ADDR gives) into our own. A new table is built for each change of the
 * memory table (SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG); the forwarding loop may keep using the
 * old one until it switches, so no table is changed in place and none unmaps its regions by itself.
 *
 * <p>Lookups run per descriptor: the regions sit in primitive arrays sorted by guest address, so a
 * lookup is a binary search that allocates nothing. A range is translated only when it lies entirely
 * inside one region: 0 means it does not (host address 0 is never mapped).
 *
 * <p>File descriptors: {@link #map} and {@link #withRegion} take ownership of the descriptors they
 * are given and close every one of them before they return, mapped or not; a mapping outlives its
 * descriptor, so whoever holds a table holds no region descriptors. A table's mappings are released
 * by {@link #unmap()} or {@link #unmapNotIn}.
 */
public final class GuestMemory {
    /** SET_MEM_TABLE's limit (VHOST_MEMORY_BASELINE_NREGIONS): one message carries at most 8 descriptors. */
    public static final int BASELINE_REGIONS = 8;
    /** The most regions ADD_MEM_REG may build up (what VHOST_USER_GET_MAX_MEM_SLOTS answers). */
    public static final int MAX_REGIONS = 509;
    /** The largest region we map: 64 TB, far above any guest, and small enough that no sum overflows. */
    public static final long MAX_REGION_SIZE = 1L << 46;
    /** A table with no regions: every translation fails. */
    public static final GuestMemory EMPTY = new GuestMemory(new MemoryRegion[0], new long[0], new long[0], new long[0]);

    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_SHARED = 1;
    private static final long PAGE = 4096;
    private static final int STATFS_SIZE = 128;
    private static final int STATFS_BSIZE = 8;

    private final MemoryRegion[] regions;
    private final int count;
    private final long[] guestStart;
    private final long[] size;
    private final long[] userStart;
    private final long[] host;
    /** Where the mapping that holds each region starts; 0 for memory we were lent ({@link #over}). */
    private final long[] mapAddress;
    private final long[] mapLength;
    /** Set by the first unmap: a second must not unmap what may since have been mapped at the same address. */
    private boolean released;

    /** The table over these regions, sorted here by guest address; the arrays are parallel to {@code regions}. */
    private GuestMemory(MemoryRegion[] regions, long[] host, long[] mapAddress, long[] mapLength) {
        Integer[] order = new Integer[regions.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(regions[a].guestPhysAddr(), regions[b].guestPhysAddr()));
        this.count = regions.length;
        this.regions = new MemoryRegion[count];
        this.guestStart = new long[count];
        this.size = new long[count];
        this.userStart = new long[count];
        this.host = new long[count];
        this.mapAddress = new long[count];
        this.mapLength = new long[count];
        for (int i = 0; i < count; i++) {
            int from = order[i];
            this.regions[i] = regions[from];
            this.guestStart[i] = regions[from].guestPhysAddr();
            this.size[i] = regions[from].size();
            this.userStart[i] = regions[from].userAddr();
            this.host[i] = host[from];
            this.mapAddress[i] = mapAddress[from];
            this.mapLength[i] = mapLength[from];
        }
    }

    /**
     * Maps a whole memory table (SET_MEM_TABLE): {@code fds[i]} holds {@code regions[i]} from its
     * mmapOffset on, mapped shared, read and write. Closes every descriptor in {@code fds}, whatever
     * happens; on failure nothing stays mapped.
     */
    public static GuestMemory map(MemoryRegion[] regions, int[] fds) throws VhostProtocolException {
        try {
            if (regions.length != fds.length) {
                throw new VhostProtocolException(regions.length + " memory regions but " + fds.length + " descriptors");
            }
            if (regions.length > BASELINE_REGIONS) {
                throw new VhostProtocolException(regions.length + " memory regions: a memory table holds at most "
                        + BASELINE_REGIONS);
            }
            check(regions);
            long[] host = new long[regions.length];
            long[] mapAddress = new long[regions.length];
            long[] mapLength = new long[regions.length];
            for (int i = 0; i < regions.length; i++) {
                try {
                    mapOne(regions[i], fds[i], i, host, mapAddress, mapLength);
                } catch (VhostProtocolException e) {
                    for (int j = 0; j < i; j++) {
                        LibC.munmap(mapAddress[j], mapLength[j]);
                    }
                    throw e;
                }
            }
            return new GuestMemory(regions.clone(), host, mapAddress, mapLength);
        } finally {
            for (int fd : fds) {
                closeQuietly(fd);
            }
        }
    }

    /**
     * A table over memory that is already ours (a direct buffer, JNA memory): region {@code i}
     * starts at {@code hostAddresses[i]}. Nothing is mapped or unmapped: for tests and fuzzing.
     */
    public static GuestMemory over(MemoryRegion[] regions, long[] hostAddresses) throws VhostProtocolException {
        if (regions.length != hostAddresses.length) {
            throw new VhostProtocolException(regions.length + " memory regions but " + hostAddresses.length + " addresses");
        }
        if (regions.length > MAX_REGIONS) {
            throw new VhostProtocolException(regions.length + " memory regions: at most " + MAX_REGIONS);
        }
        check(regions);
        for (long address : hostAddresses) {
            if (address == 0) {
                throw new VhostProtocolException("host address 0 for a memory region");
            }
        }
        return new GuestMemory(regions.clone(), hostAddresses.clone(), new long[regions.length], new long[regions.length]);
    }

    /**
     * This table with one more region (ADD_MEM_REG), mapped from {@code fd}, which is closed whatever
     * happens. This table stays as it is and keeps its mappings, which the new one shares.
     */
    public GuestMemory withRegion(MemoryRegion region, int fd) throws VhostProtocolException {
        try {
            if (count + 1 > MAX_REGIONS) {
                throw new VhostProtocolException("memory region " + region + ": already " + count + " regions, the most");
            }
            MemoryRegion[] all = Arrays.copyOf(regions, count + 1);
            all[count] = region;
            check(all);
            long[] newHost = Arrays.copyOf(host, count + 1);
            long[] newMapAddress = Arrays.copyOf(mapAddress, count + 1);
            long[] newMapLength = Arrays.copyOf(mapLength, count + 1);
            mapOne(region, fd, count, newHost, newMapAddress, newMapLength);
            return new GuestMemory(all, newHost, newMapAddress, newMapLength);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * This table without the region that has {@code region}'s guest address and size (REM_MEM_REG
     * matches on those two, as libvhost-user does). Unmaps nothing: once no ring uses this table any
     * more, {@code this.unmapNotIn(result)} releases the removed region.
     */
    public GuestMemory withoutRegion(MemoryRegion region) throws VhostProtocolException {
        for (int i = 0; i < count; i++) {
            if (guestStart[i] == region.guestPhysAddr() && size[i] == region.size()) {
                MemoryRegion[] rest = new MemoryRegion[count - 1];
                long[] restHost = new long[count - 1];
                long[] restMapAddress = new long[count - 1];
                long[] restMapLength = new long[count - 1];
                for (int from = 0, to = 0; from < count; from++) {
                    if (from != i) {
                        rest[to] = regions[from];
                        restHost[to] = host[from];
                        restMapAddress[to] = mapAddress[from];
                        restMapLength[to] = mapLength[from];
                        to++;
                    }
                }
                return new GuestMemory(rest, restHost, restMapAddress, restMapLength);
            }
        }
        throw new VhostProtocolException("no memory region at guest address 0x" + Long.toHexString(region.guestPhysAddr())
                + " of size 0x" + Long.toHexString(region.size()) + " to remove");
    }

    /**
     * The host address of {@code [gpa, gpa + len)} when the whole range lies in one region, else 0
     * (outside every region, across two, negative length). Per descriptor: allocates nothing.
     */
    public long gpaToHost(long gpa, int len) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(guestStart[mid], gpa) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return 0;
        }
        return inside(found, gpa - guestStart[found], len);
    }

    /**
     * The host address of {@code [uva, uva + len)}, given in the frontend's own addresses (as
     * SET_VRING_ADDR's are), when the whole range lies in one region, else 0. For ring setup.
     */
    public long uvaToHost(long uva, int len) {
        for (int i = 0; i < count; i++) {
            long offset = uva - userStart[i];
            if (Long.compareUnsigned(offset, size[i]) < 0) {
                long at = inside(i, offset, len);
                if (at != 0) {
                    return at;
                }
            }
        }
        return 0;
    }

    private long inside(int region, long offset, int len) {
        long regionSize = size[region];
        if (len < 0 || Long.compareUnsigned(offset, regionSize) >= 0 || len > regionSize - offset) {
            return 0;
        }
        return host[region] + offset;
    }

    /** How many regions the table has. */
    public int regionCount() {
        return count;
    }

    /** The regions, sorted by guest address (a copy). */
    public MemoryRegion[] regions() {
        return regions.clone();
    }

    /**
     * Unmaps every region this table mapped; no ring may use it or a table sharing its regions any
     * more. A table releases its mappings once: later calls of this or {@link #unmapNotIn} do nothing.
     */
    public void unmap() {
        unmapNotIn(EMPTY);
    }

    /**
     * Unmaps the regions this table mapped that {@code successor} does not share: after REM_MEM_REG
     * (or a new table), once the rings have moved to {@code successor}.
     */
    public void unmapNotIn(GuestMemory successor) {
        if (released) {
            return;
        }
        released = true;
        for (int i = 0; i < count; i++) {
            if (mapAddress[i] != 0 && !successor.holdsMapping(mapAddress[i])) {
                LibC.munmap(mapAddress[i], mapLength[i]);
            }
        }
    }

    private boolean holdsMapping(long address) {
        for (int i = 0; i < count; i++) {
            if (mapAddress[i] == address) {
                return true;
            }
        }
        return false;
    }

    /** Rejects empty, huge, wrapping and (in guest addresses) overlapping regions. */
    private static void check(MemoryRegion[] regions) throws VhostProtocolException {
        for (MemoryRegion r : regions) {
            if (r.size() <= 0 || r.size() > MAX_REGION_SIZE) {
                throw new VhostProtocolException("memory region " + r + ": size must be above 0 and at most 2^46");
            }
            if (Long.compareUnsigned(r.guestPhysAddr() + r.size(), r.guestPhysAddr()) <= 0
                    || Long.compareUnsigned(r.userAddr() + r.size(), r.userAddr()) <= 0) {
                throw new VhostProtocolException("memory region " + r + ": its end wraps around");
            }
            if (r.mmapOffset() < 0 || r.mmapOffset() + r.size() < 0) {
                throw new VhostProtocolException("memory region " + r + ": bad mmap offset");
            }
        }
        MemoryRegion[] sorted = regions.clone();
        Arrays.sort(sorted, (a, b) -> Long.compareUnsigned(a.guestPhysAddr(), b.guestPhysAddr()));
        for (int i = 1; i < sorted.length; i++) {
            MemoryRegion before = sorted[i - 1];
            if (Long.compareUnsigned(before.guestPhysAddr() + before.size(), sorted[i].guestPhysAddr()) > 0) {
                throw new VhostProtocolException("memory regions " + before + " and " + sorted[i] + " overlap");
            }
        }
    }

    /**
     * Maps {@code region} from {@code fd} into slot {@code i} of the arrays. The mapping starts at
     * the mmapOffset rounded down to the file's block size (a huge page on hugetlbfs, where mmap
     * and munmap need that alignment) and ends rounded up to it.
     */
    private static void mapOne(MemoryRegion region, int fd, int i, long[] host, long[] mapAddress, long[] mapLength)
            throws VhostProtocolException {
        if (fd < 0) {
            throw new VhostProtocolException("memory region " + region + " came without a descriptor");
        }
        long align = blockSize(fd);
        long start = region.mmapOffset() & -align;
        long lead = region.mmapOffset() - start;
        long length = (lead + region.size() + align - 1) & -align;
        long address = LibC.mmap(0L, length, PROT_READ_WRITE, MAP_SHARED, fd, start);
        if (address == -1L) {
            int errno = Native.getLastError();
            throw new VhostProtocolException("mmap memory region " + region + ": " + Errno.describe(errno)
                    + " (errno " + errno + ")");
        }
        host[i] = address + lead;
        mapAddress[i] = address;
        mapLength[i] = length;
    }

    /** The block size of fd's file system when it is a sane power of two, else the page size. */
    private static long blockSize(int fd) {
        try (Memory statfs = new Memory(STATFS_SIZE)) {
            statfs.clear();
            if (LibC.fstatfs(fd, Pointer.nativeValue(statfs)) != 0) {
                return PAGE;
            }
            long bsize = statfs.getLong(STATFS_BSIZE);
            return bsize >= PAGE && bsize <= (1L << 30) && Long.bitCount(bsize) == 1 ? bsize : PAGE;
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }
}

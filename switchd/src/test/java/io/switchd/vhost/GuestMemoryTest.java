package io.switchd.vhost;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.switchd.sys.LibC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestMemoryTest {
    private static final int O_RDWR = 2;
    private static final long A = 0x1000_0000L;

    private final Memory host = new Memory(1024);
    private Path file;

    @AfterEach
    void cleanUp() throws IOException {
        host.close();
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    private long at(int offset) {
        return Pointer.nativeValue(host) + offset;
    }

    private GuestMemory twoAdjacentRegions() throws VhostProtocolException {
        // guest-contiguous, but far apart in our memory: a range across them must not translate
        return GuestMemory.over(new MemoryRegion[] {
                new MemoryRegion(A + 100, 100, 0x9000, 0), new MemoryRegion(A, 100, 0x5000, 0)},
                new long[] {at(600), at(0)});
    }

    @Test
    void translatesRangesInsideOneRegionOnly() throws VhostProtocolException {
        GuestMemory memory = twoAdjacentRegions();
        assertEquals(at(90), memory.gpaToHost(A + 90, 10));
        assertEquals(0, memory.gpaToHost(A + 90, 11), "across two regions");
        assertEquals(at(600), memory.gpaToHost(A + 100, 100));
        assertEquals(0, memory.gpaToHost(A + 200, 1), "past the end");
        assertEquals(0, memory.gpaToHost(A - 1, 1), "before the start");
        assertEquals(at(99), memory.gpaToHost(A + 99, 0));
        assertEquals(0, memory.gpaToHost(A + 10, -1));
        assertEquals(0, memory.gpaToHost(-1L, 1));
        assertEquals(at(10), memory.uvaToHost(0x500A, 5));
        assertEquals(at(650), memory.uvaToHost(0x9032, 50));
        assertEquals(0, memory.uvaToHost(0x9032, 51));
        assertEquals(0, memory.uvaToHost(0x4FFF, 2));
        assertEquals(2, memory.regionCount());
        assertEquals(A, memory.regions()[0].guestPhysAddr(), "sorted by guest address");
    }

    @Test
    void handlesAddressesAboveTwoToTheSixtyThree() throws VhostProtocolException {
        long high = 0xFFFF_FFFF_FFFF_E000L;
        GuestMemory memory = GuestMemory.over(new MemoryRegion[] {
                new MemoryRegion(high, 0x1000, 0x1000, 0), new MemoryRegion(0x2000, 0x100, 0x8000_0000_0000_0000L, 0)},
                new long[] {at(0), at(512)});
        assertEquals(at(16), memory.gpaToHost(high + 16, 16));
        assertEquals(0, memory.gpaToHost(high + 0xFFF, 2), "past the end, near 2^64");
        assertEquals(at(512), memory.gpaToHost(0x2000, 0x100));
        assertEquals(at(513), memory.uvaToHost(0x8000_0000_0000_0001L, 4));
    }

    @Test
    void rejectsBadRegions() {
        long[] one = {at(0)};
        assertThrows(VhostProtocolException.class,
                () -> GuestMemory.over(new MemoryRegion[] {new MemoryRegion(A, 0, 0, 0)}, one), "empty");
        assertThrows(VhostProtocolException.class,
                () -> GuestMemory.over(new MemoryRegion[] {new MemoryRegion(A, -5, 0, 0)}, one), "negative size");
        assertThrows(VhostProtocolException.class,
                () -> GuestMemory.over(new MemoryRegion[] {new MemoryRegion(-0x1000L, 0x1000, 0, 0)}, one), "wraps");
        assertThrows(VhostProtocolException.class,
                () -> GuestMemory.over(new MemoryRegion[] {new MemoryRegion(A, 0x100, -0x10L, 0)}, one), "user address wraps");
        assertThrows(VhostProtocolException.class, () -> GuestMemory.over(new MemoryRegion[] {
                new MemoryRegion(A, 0x100, 0, 0), new MemoryRegion(A + 0xFF, 0x100, 0x1000, 0)},
                new long[] {at(0), at(256)}), "overlap");
        MemoryRegion[] many = new MemoryRegion[GuestMemory.MAX_REGIONS + 1];
        long[] hosts = new long[many.length];
        for (int i = 0; i < many.length; i++) {
            many[i] = new MemoryRegion(A + 0x1000L * i, 0x1000, 0x1000L * i, 0);
            hosts[i] = at(0);
        }
        assertThrows(VhostProtocolException.class, () -> GuestMemory.over(many, hosts), "too many");
    }

    private int openFile(String contentAt4196) throws IOException {
        if (file == null) {
            file = Files.createTempFile("switchd-guest-memory", ".bin");
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4 * 4096);
            raf.seek(4196);
            raf.write(contentAt4196.getBytes(StandardCharsets.US_ASCII));
        }
        int fd = LibC.open(file.toString(), O_RDWR);
        assertNotEquals(-1, fd);
        return fd;
    }

    private static boolean isOpen(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd), LinkOption.NOFOLLOW_LINKS);
    }

    private static String read(long address, int length) {
        return new String(new Pointer(address).getByteArray(0, length), StandardCharsets.US_ASCII);
    }

    @Test
    void mapsSharedAtAnUnalignedOffsetAndClosesTheDescriptor() throws Exception {
        int fd = openFile("hello");
        GuestMemory memory = GuestMemory.map(new MemoryRegion[] {new MemoryRegion(A, 8192, 0x7f00_0000L, 4196)},
                new int[] {fd});
        try {
            assertFalse(isOpen(fd), "the mapping outlives the descriptor, which map closed");
            assertEquals("hello", read(memory.gpaToHost(A, 5), 5));
            assertEquals("hello", read(memory.uvaToHost(0x7f00_0000L, 5), 5));
            assertEquals(0, memory.gpaToHost(A + 8190, 3));
            new Pointer(memory.gpaToHost(A + 10, 5)).write(0, "world".getBytes(StandardCharsets.US_ASCII), 0, 5);
            byte[] inFile = new byte[5];
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                raf.seek(4206);
                raf.readFully(inFile);
            }
            assertArrayEquals("world".getBytes(StandardCharsets.US_ASCII), inFile, "MAP_SHARED: the file sees our writes");
        } finally {
            memory.unmap();
        }
    }

    @Test
    void addsAndRemovesRegionsAsNewTables() throws Exception {
        GuestMemory first = GuestMemory.map(new MemoryRegion[] {new MemoryRegion(A, 4096, 0x10000, 4196)},
                new int[] {openFile("one")});
        int fd = openFile("two");
        GuestMemory second = first.withRegion(new MemoryRegion(A + 0x100000, 4096, 0x20000, 4196), fd);
        assertFalse(isOpen(fd));
        assertEquals(1, first.regionCount(), "the old table is unchanged");
        assertEquals(2, second.regionCount());
        assertEquals("two", read(second.gpaToHost(A + 0x100000, 3), 3));
        int overlapping = openFile("two"); // the same file: keep what the mapping shows
        assertThrows(VhostProtocolException.class, () -> second.withRegion(new MemoryRegion(A + 100, 4096, 0, 0), overlapping));
        assertFalse(isOpen(overlapping), "closed even when refused");
        GuestMemory third = second.withoutRegion(new MemoryRegion(A, 4096, 0, 0));
        assertEquals(1, third.regionCount());
        assertEquals(0, third.gpaToHost(A, 1));
        assertEquals("two", read(third.gpaToHost(A + 0x100000, 3), 3));
        assertThrows(VhostProtocolException.class, () -> third.withoutRegion(new MemoryRegion(A, 4096, 0, 0)));
        first.unmapNotIn(third);
        second.unmapNotIn(third);
        assertEquals("two", read(third.gpaToHost(A + 0x100000, 3), 3), "the shared mapping stays");
        third.unmap();
    }

    @Test
    void refusedTablesCloseEveryDescriptor() throws Exception {
        int a = openFile("a");
        int b = openFile("b");
        assertThrows(VhostProtocolException.class, () -> GuestMemory.map(new MemoryRegion[] {
                new MemoryRegion(A, 4096, 0, 0), new MemoryRegion(A + 4095, 4096, 0x10000, 0)}, new int[] {a, b}));
        assertFalse(isOpen(a));
        assertFalse(isOpen(b));
        int c = openFile("c");
        assertThrows(VhostProtocolException.class,
                () -> GuestMemory.map(new MemoryRegion[] {new MemoryRegion(A, 4096, 0, 0)}, new int[] {c, -1}));
        assertFalse(isOpen(c));
        assertThrows(VhostProtocolException.class,
                () -> GuestMemory.map(new MemoryRegion[] {new MemoryRegion(A, 4096, 0, 0)}, new int[] {-1}));
    }
}

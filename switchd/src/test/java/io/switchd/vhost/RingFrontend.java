package io.switchd.vhost;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.switchd.sys.LibC;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.switchd.vhost.VhostUserMessage.*;
import static io.switchd.vhost.VhostUserProtocol.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vhost-user frontend with real shared memory, for tests against a running switchd: the guest's
 * memory is a memfd shared through SET_MEM_TABLE, its two queues are {@link TestVirtioDriver}s laid
 * out in it, and kicks and calls are eventfds passed with SCM_RIGHTS. It sets the device up the way
 * a well-behaved frontend does ({@link #setUp}) and then does whatever a test asks, rules or not:
 * each request asks for an ack (REPLY_ACK), so a refused request does not end the connection.
 *
 * <pre>
 *  memfd (2 * QUEUE_BYTES), mapped once here:
 *  0                     QUEUE_BYTES              2 * QUEUE_BYTES
 *  +---------------------+------------------------+
 *  | region 0: RX queue  | region 1: TX queue     |   each: desc | avail | used | buffers
 *  +---------------------+------------------------+
 *  guest address GPA, GPA + QUEUE_BYTES; frontend address UVA, UVA + QUEUE_BYTES
 * </pre>
 */
final class RingFrontend implements AutoCloseable {
    static final int QUEUE_SIZE = 256;
    static final int QUEUE_BYTES = 256 * 1024;
    static final long GPA = 0x1_0000_0000L;
    static final long UVA = 0x7f10_0000_0000L;
    static final int RX = 0;
    static final int TX = 1;
    /** The guest's receive buffers posted at set-up. */
    static final int RX_BUFFERS = 64;
    private static final int RX_BUFFER = 2048;
    private static final int MFD_CLOEXEC = 1;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;

    /** The libc calls the test needs that the daemon does not. */
    static final class Sys {
        static {
            Native.register(Sys.class, "c");
        }

        static native int memfd_create(String name, int flags);

        static native int ftruncate(int fd, long length);

        static native int eventfd(int initval, int flags);

        private Sys() {}
    }

    private final TestFrontend socket;
    private final String memfdName;
    private final int memfd;
    private final long mapping;
    final TestVirtioDriver rx;
    final TestVirtioDriver tx;
    /** kick and call eventfds of RX and TX: {rxKick, rxCall, txKick, txCall}. */
    private final int[] eventfds = new int[4];
    private final Memory eight = new Memory(8);
    private boolean closed;

    private RingFrontend(TestFrontend socket, String memfdName) {
        this.socket = socket;
        this.memfdName = memfdName;
        this.memfd = check(Sys.memfd_create(memfdName, MFD_CLOEXEC), "memfd_create");
        check(Sys.ftruncate(memfd, 2L * QUEUE_BYTES), "ftruncate");
        long at = LibC.mmap(0, 2L * QUEUE_BYTES, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, memfd, 0);
        assertTrue(at != -1, "mmap of the memfd, errno " + Native.getLastError());
        this.mapping = at;
        this.rx = new TestVirtioDriver(QUEUE_SIZE, QUEUE_BYTES, mapping, GPA, UVA);
        this.tx = new TestVirtioDriver(QUEUE_SIZE, QUEUE_BYTES, mapping + QUEUE_BYTES, GPA + QUEUE_BYTES, UVA + QUEUE_BYTES);
        for (int i = 0; i < eventfds.length; i++) {
            eventfds[i] = check(Sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
        }
        eight.setLong(0, 1);
    }

    /** Connects to switchd's vhost-user socket; the guest's memory is a memfd named {@code memfdName}. */
    static RingFrontend connect(Path path, String memfdName) throws IOException {
        return new RingFrontend(TestFrontend.connect(path), memfdName);
    }

    private static int check(int result, String call) {
        assertTrue(result >= 0, call + " failed, errno " + Native.getLastError());
        return result;
    }

    /** The memory table that covers both queues' regions. */
    MemoryRegion[] regions() {
        return new MemoryRegion[] {new MemoryRegion(GPA, QUEUE_BYTES, UVA, 0),
                new MemoryRegion(GPA + QUEUE_BYTES, QUEUE_BYTES, UVA + QUEUE_BYTES, QUEUE_BYTES)};
    }

    /**
     * What a well-behaved frontend does: features (VERSION_1, and protocol features with REPLY_ACK),
     * the memory table, both queues with kick and call eventfds and the receive queue's buffers
     * posted, and both queues enabled.
     */
    RingFrontend setUp() {
        socket.header(GET_FEATURES, 0, 0);
        socket.send();
        long offered = socket.awaitReply().u64();
        long want = VirtioFeatures.mask(VirtioFeatures.VERSION_1, VirtioFeatures.PROTOCOL_FEATURES);
        assertEquals(want, offered & want, "switchd offers VERSION_1 and PROTOCOL_FEATURES");
        socket.header(GET_PROTOCOL_FEATURES, 0, 0);
        socket.send();
        assertTrue((socket.awaitReply().u64() & (1L << F_REPLY_ACK)) != 0, "switchd offers REPLY_ACK");
        socket.header(SET_PROTOCOL_FEATURES, 0, U64_SIZE).u64(1L << F_REPLY_ACK);
        socket.send();
        // from here on every request asks for an ack
        request(SET_OWNER, 0);
        socket.header(SET_FEATURES, FLAG_NEED_REPLY, U64_SIZE).u64(want);
        acked();
        memoryTable(regions());
        for (int i = 0; i < RX_BUFFERS; i++) {
            rx.postReceive(RX_BUFFER);
        }
        queue(RX, rx);
        queue(TX, tx);
        enable(RX, true);
        enable(TX, true);
        return this;
    }

    /** SET_MEM_TABLE with these regions, each mapped from the memfd (its descriptor sent once per region). */
    void memoryTable(MemoryRegion... table) {
        int size = socket.message.memoryTable(table);
        socket.header(SET_MEM_TABLE, FLAG_NEED_REPLY, size);
        int[] fds = new int[table.length];
        java.util.Arrays.fill(fds, memfd);
        acked(fds);
    }

    /** SET_VRING_NUM, _ADDR, _BASE, _CALL and _KICK for queue {@code index} laid out by {@code driver}. */
    void queue(int index, TestVirtioDriver driver) {
        socket.header(SET_VRING_NUM, FLAG_NEED_REPLY, STATE_SIZE).state(index, QUEUE_SIZE);
        acked();
        socket.header(SET_VRING_ADDR, FLAG_NEED_REPLY, ADDR_SIZE).vringAddress(driver.address(index));
        acked();
        socket.header(SET_VRING_BASE, FLAG_NEED_REPLY, STATE_SIZE).state(index, 0);
        acked();
        socket.header(SET_VRING_CALL, FLAG_NEED_REPLY, U64_SIZE).u64(index);
        acked(eventfds[2 * index + 1]);
        socket.header(SET_VRING_KICK, FLAG_NEED_REPLY, U64_SIZE).u64(index);
        acked(eventfds[2 * index]);
    }

    /** SET_VRING_ENABLE. */
    void enable(int index, boolean on) {
        socket.header(SET_VRING_ENABLE, FLAG_NEED_REPLY, STATE_SIZE).state(index, on ? 1 : 0);
        acked();
    }

    private void request(int request, int size) {
        socket.header(request, FLAG_NEED_REPLY, size);
        acked();
    }

    /**
     * Moves queue {@code index}'s rings to {@code a} and kicks it anew (SET_VRING_ADDR, then
     * SET_VRING_KICK with its eventfd) while it runs: what switchd answered the kick, 0 for success.
     */
    long moveRings(int index, VringAddress a) {
        socket.header(SET_VRING_ADDR, FLAG_NEED_REPLY, ADDR_SIZE).vringAddress(a);
        acked();
        socket.header(SET_VRING_KICK, FLAG_NEED_REPLY, U64_SIZE).u64(index);
        return ack(eventfds[2 * index]);
    }

    /** Sends the message written in the socket's buffer and asserts switchd acked it with 0. */
    private void acked(int... fds) {
        int request = socket.message.request();
        assertEquals(0, ack(fds), requestName(request) + " acked with success");
    }

    /** Sends the message written in the socket's buffer: the ack's value. */
    private long ack(int... fds) {
        int request = socket.message.request();
        socket.send(fds);
        VhostUserMessage reply = socket.awaitReply();
        assertEquals(request, reply.request(), "the reply to " + requestName(request));
        return reply.u64();
    }

    /** Transmits a frame (a zero virtio-net header in front) on the TX queue and kicks it. */
    void transmit(byte[] frame) {
        byte[] withHeader = new byte[TestVirtioDriver.HEADER + frame.length];
        System.arraycopy(frame, 0, withHeader, TestVirtioDriver.HEADER, frame.length);
        tx.transmit(withHeader);
        kick(TX);
    }

    /** Signals queue {@code index}'s kick eventfd, as a guest does once it has made buffers available. */
    void kick(int index) {
        long n = LibC.write(eventfds[2 * index], Pointer.nativeValue(eight), 8);
        assertEquals(8, n, "kick written, errno " + Native.getLastError());
    }

    /** The frames switchd has put in the receive queue since the last call, headers stripped. */
    List<byte[]> received() {
        List<byte[]> frames = new ArrayList<>();
        int[] used;
        while ((used = rx.nextUsed()) != null) {
            byte[] all = rx.received(used[0], used[1]);
            byte[] frame = new byte[all.length - TestVirtioDriver.HEADER];
            System.arraycopy(all, TestVirtioDriver.HEADER, frame, 0, frame.length);
            frames.add(frame);
        }
        return frames;
    }

    /** Waits until switchd closes the connection (the port was deleted). */
    void awaitClosedByPeer() {
        socket.awaitClosedByPeer();
    }

    /** The name of the memfd, as /proc/PID/maps shows it ("/memfd:NAME"). */
    String memfdName() {
        return memfdName;
    }

    /** Closes the connection and everything of the guest's on this side: memory, eventfds. Once. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } finally {
            rx.close();
            tx.close();
            LibC.munmap(mapping, 2L * QUEUE_BYTES);
            LibC.close(memfd);
            for (int fd : eventfds) {
                LibC.close(fd);
            }
        }
    }
}

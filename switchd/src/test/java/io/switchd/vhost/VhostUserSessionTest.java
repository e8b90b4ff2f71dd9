package io.switchd.vhost;

import io.switchd.sys.LibC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.switchd.vhost.VhostUserMessage.*;
import static io.switchd.vhost.VhostUserProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/** The session fed crafted messages, as a front-end (trusted or not) would send them. */
class VhostUserSessionTest {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private final RecordingBackend backend = new RecordingBackend();
    private final VhostUserSession session = new VhostUserSession(backend, "test");
    private final VhostUserMessage request = new VhostUserMessage();
    private final VhostUserMessage reply = new VhostUserMessage();
    private final List<Integer> opened = new ArrayList<>();

    @AfterEach
    void release() {
        for (int fd : opened) {
            if (open(fd)) {
                LibC.close(fd);
            }
        }
        request.release();
        reply.release();
    }

    /** A descriptor the test can later check was closed. */
    private int newFd() {
        int fd = LibC.open("/dev/null", O_RDONLY_CLOEXEC);
        assertTrue(fd >= 0);
        opened.add(fd);
        return fd;
    }

    private static boolean open(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    private boolean send(int req, int flags, int size, int... fds) throws VhostProtocolException {
        request.header(req, VERSION | flags, size);
        return session.handle(request, fds.clone(), fds.length, reply);
    }

    private VhostProtocolException closes(int req, int flags, int size, int... fds) {
        return assertThrows(VhostProtocolException.class, () -> send(req, flags, size, fds));
    }

    private void assertReplyU64(int req, long value) {
        assertEquals(req, reply.request());
        assertEquals(VERSION | FLAG_REPLY, reply.flags());
        assertEquals(U64_SIZE, reply.size());
        assertEquals(value, reply.u64());
    }

    /** The handshake DPDK's virtio-user and QEMU make, with protocol features: rings wait for SET_VRING_ENABLE. */
    @Test
    void aWholeSessionReachesTheBackend() throws Exception {
        assertTrue(send(GET_FEATURES, 0, 0));
        assertReplyU64(GET_FEATURES, RecordingBackend.OFFERED);
        long acked = RecordingBackend.OFFERED & ~(1L << VirtioFeatures.GUEST_ECN);
        request.u64(acked);
        assertFalse(send(SET_FEATURES, 0, U64_SIZE));
        assertEquals(acked, backend.acked());

        assertTrue(send(GET_PROTOCOL_FEATURES, 0, 0));
        assertReplyU64(GET_PROTOCOL_FEATURES, RecordingBackend.OFFERED_PROTOCOL);
        request.u64(RecordingBackend.OFFERED_PROTOCOL);
        assertFalse(send(SET_PROTOCOL_FEATURES, 0, U64_SIZE));
        assertTrue(send(GET_QUEUE_NUM, 0, 0));
        assertReplyU64(GET_QUEUE_NUM, 1);
        assertFalse(send(SET_OWNER, 0, 0));

        int memFd = newFd();
        int size = request.memoryTable(new MemoryRegion(0, 1 << 20, 0x7f0000000000L, 0));
        assertTrue(send(SET_MEM_TABLE, FLAG_NEED_REPLY, size, memFd));
        assertReplyU64(SET_MEM_TABLE, 0);
        assertEquals(1, backend.table().length);
        assertEquals(1, backend.tableFds());
        assertFalse(open(memFd), "the backend owns (and here closed) the region's descriptor");

        for (int ring = 0; ring < 2; ring++) {
            request.state(ring, 256);
            send(SET_VRING_NUM, 0, STATE_SIZE);
            request.vringAddress(new VringAddress(ring, 0, 0x7f0000001000L, 0x7f0000003000L, 0x7f0000002000L, 0));
            send(SET_VRING_ADDR, 0, ADDR_SIZE);
            request.state(ring, 0);
            send(SET_VRING_BASE, 0, STATE_SIZE);
            request.u64(ring);
            send(SET_VRING_KICK, 0, U64_SIZE, newFd());
            request.u64(ring);
            send(SET_VRING_CALL, 0, U64_SIZE, newFd());
        }
        assertFalse(backend.enabled(0), "with protocol features a ring starts disabled");
        for (int ring = 0; ring < 2; ring++) {
            request.state(ring, 1);
            send(SET_VRING_ENABLE, 0, STATE_SIZE);
        }
        assertTrue(backend.sessionComplete(), backend.events().toString());

        request.state(1, 0);
        assertTrue(send(GET_VRING_BASE, 0, STATE_SIZE));
        assertEquals(GET_VRING_BASE, reply.request());
        assertEquals(STATE_SIZE, reply.size());
        assertEquals(1, reply.stateIndex());
        assertEquals(0, reply.stateNum());

        session.disconnected();
        session.disconnected();
        assertEquals(1, backend.disconnects(), "the backend hears of the end once");
    }

    @Test
    void withoutProtocolFeaturesAKickEnablesTheRing() throws Exception {
        request.u64(RecordingBackend.OFFERED & ~(1L << VirtioFeatures.PROTOCOL_FEATURES));
        send(SET_FEATURES, 0, U64_SIZE);
        request.u64(0);
        send(SET_VRING_KICK, 0, U64_SIZE, newFd());
        assertTrue(backend.enabled(0));
        assertFalse(backend.enabled(1));
        assertEquals(List.of("vringKick 0 fd", "vringEnable 0 true"),
                backend.events().subList(1, backend.events().size()));
    }

    @Test
    void replyAckAnswersSuccessAndFailure() throws Exception {
        request.state(0, 256);
        assertTrue(send(SET_VRING_NUM, FLAG_NEED_REPLY, STATE_SIZE));
        assertReplyU64(SET_VRING_NUM, 0);

        backend.refuse("vringNum");
        request.state(0, 512);
        assertTrue(send(SET_VRING_NUM, FLAG_NEED_REPLY, STATE_SIZE), "a failure with need_reply is answered");
        assertReplyU64(SET_VRING_NUM, 1);

        backend.refuse("vringNum");
        VhostProtocolException e = closes(SET_VRING_NUM, 0, STATE_SIZE);
        assertTrue(e.getMessage().contains("refused by the test"), e.getMessage());
        assertFalse(send(SET_VRING_NUM, 0, STATE_SIZE), "no reply without need_reply");
    }

    @Test
    void wrongSizesCloseTheConnection() {
        closes(SET_FEATURES, 0, 4);
        closes(GET_FEATURES, 0, 8);
        closes(SET_VRING_ADDR, 0, 32);
        closes(SET_VRING_KICK, 0, 4, newFd());
        request.memoryTable(new MemoryRegion(0, 4096, 0, 0), new MemoryRegion(4096, 4096, 4096, 0));
        closes(SET_MEM_TABLE, 0, MEM_REGIONS + REGION_BYTES, newFd(), newFd());
        request.header(SET_MEM_TABLE, VERSION, 0).payloadBytes(0, new byte[] {9, 0, 0, 0});
        closes(SET_MEM_TABLE, 0, MEM_REGIONS + 9 * REGION_BYTES);
        assertEquals(List.of(), backend.events());
    }

    @Test
    void descriptorsWhereNoneOrFewerBelongAreClosedAndCloseTheConnection() {
        int a = newFd();
        int b = newFd();
        request.memoryTable(new MemoryRegion(0, 4096, 0, 0));
        closes(SET_MEM_TABLE, 0, MEM_REGIONS + REGION_BYTES, a, b);
        assertFalse(open(a) || open(b), "both descriptors closed");

        int c = newFd();
        request.u64(VRING_NOFD);
        closes(SET_VRING_CALL, 0, U64_SIZE, c);
        assertFalse(open(c));

        int d = newFd();
        closes(GET_FEATURES, 0, 0, d);
        assertFalse(open(d));

        int[] nine = new int[9];
        for (int i = 0; i < 9; i++) {
            nine[i] = newFd();
        }
        request.memoryTable(new MemoryRegion(0, 4096, 0, 0));
        VhostProtocolException e = closes(SET_MEM_TABLE, 0, MEM_REGIONS + REGION_BYTES, nine);
        assertTrue(e.getMessage().contains("9 file descriptors"), e.getMessage());
        for (int fd : nine) {
            assertFalse(open(fd));
        }
        assertEquals(List.of(), backend.events());
    }

    @Test
    void ringIndexesAreChecked() throws Exception {
        request.state(2, 256);
        closes(SET_VRING_NUM, 0, STATE_SIZE);
        request.state(-1, 256);
        closes(SET_VRING_ENABLE, 0, STATE_SIZE);
        request.state(2, 256);
        assertTrue(send(SET_VRING_NUM, FLAG_NEED_REPLY, STATE_SIZE));
        assertReplyU64(SET_VRING_NUM, 1);
        int kick = newFd();
        request.u64(5);
        closes(SET_VRING_KICK, 0, U64_SIZE, kick);
        assertFalse(open(kick));
        request.u64(0x200);
        closes(SET_VRING_ERR, 0, U64_SIZE);
        request.state(7, 0);
        closes(GET_VRING_BASE, FLAG_NEED_REPLY, STATE_SIZE);
        assertEquals(List.of(), backend.events());
    }

    @Test
    void unsupportedRequestsAreRefused() throws Exception {
        closes(99, 0, 0);
        assertTrue(send(99, FLAG_NEED_REPLY, 16));
        assertReplyU64(99, 1);
        int log = newFd();
        request.u64(0);
        assertTrue(send(SET_LOG_BASE, FLAG_NEED_REPLY, U64_SIZE, log));
        assertReplyU64(SET_LOG_BASE, 1);
        assertFalse(open(log));
        closes(SET_BACKEND_REQ_FD, 0, 0, newFd());
        closes(GET_CONFIG, 0, 12);
    }

    @Test
    void featuresBeyondTheOfferAreRefused() {
        request.u64(RecordingBackend.OFFERED | (1L << 63));
        closes(SET_FEATURES, 0, U64_SIZE);
        request.u64(1L << F_LOG_SHMFD);
        closes(SET_PROTOCOL_FEATURES, 0, U64_SIZE);
        assertEquals(List.of(), backend.events());
    }

    @Test
    void protocolFeaturesTheSessionCannotCarryOutAreNotOffered() throws Exception {
        VhostUserSession s = new VhostUserSession(new RecordingBackend(RecordingBackend.OFFERED, -1L), "greedy");
        request.header(GET_PROTOCOL_FEATURES, VERSION, 0);
        s.handle(request, new int[0], 0, reply);
        assertReplyU64(GET_PROTOCOL_FEATURES, SUPPORTED_PROTOCOL_FEATURES);
    }

    @Test
    void badFlagsCloseTheConnection() {
        request.header(GET_FEATURES, 2, 0);
        assertThrows(VhostProtocolException.class, () -> session.handle(request, new int[0], 0, reply));
        request.header(GET_FEATURES, VERSION | FLAG_REPLY, 0);
        assertThrows(VhostProtocolException.class, () -> session.handle(request, new int[0], 0, reply));
    }

    @Test
    void memorySlotsNeedTheirProtocolFeature() throws Exception {
        int fd = newFd();
        request.singleRegion(new MemoryRegion(0x100000, 4096, 0x7f0000000000L, 0));
        assertTrue(send(ADD_MEM_REG, FLAG_NEED_REPLY, SINGLE_REGION_SIZE, fd));
        assertReplyU64(ADD_MEM_REG, 1);
        assertFalse(open(fd));

        request.u64(RecordingBackend.OFFERED_PROTOCOL);
        send(SET_PROTOCOL_FEATURES, 0, U64_SIZE);
        assertTrue(send(GET_MAX_MEM_SLOTS, 0, 0));
        assertReplyU64(GET_MAX_MEM_SLOTS, MAX_REGIONS);
        request.singleRegion(new MemoryRegion(0x100000, 4096, 0x7f0000000000L, 0));
        send(ADD_MEM_REG, 0, SINGLE_REGION_SIZE, newFd());
        int stray = newFd();
        send(REM_MEM_REG, 0, SINGLE_REGION_SIZE, stray);
        assertFalse(open(stray), "a descriptor with REM_MEM_REG is closed unused");
        closes(ADD_MEM_REG, 0, SINGLE_REGION_SIZE);
        request.singleRegion(new MemoryRegion(0, 0, 0, 0));
        closes(ADD_MEM_REG, 0, SINGLE_REGION_SIZE, newFd());
        assertEquals(List.of("protocolFeatures 0x8009", "addRegion 1048576 fd", "removeRegion 1048576"), backend.events());
    }

    @Test
    void ringDescriptorsMayBeAbsent() throws Exception {
        request.u64(1 | VRING_NOFD);
        send(SET_VRING_ERR, 0, U64_SIZE);
        request.u64(0 | VRING_NOFD);
        send(SET_VRING_CALL, 0, U64_SIZE);
        assertEquals(List.of("vringErr 1 nofd", "vringCall 0 nofd"), backend.events());
    }

    @Test
    void aSecondSetOwnerAndResetOwnerResetTheDevice() throws Exception {
        send(SET_OWNER, 0, 0);
        send(SET_OWNER, 0, 0);
        send(RESET_OWNER, 0, 0);
        assertEquals(2, backend.resets());
    }
}

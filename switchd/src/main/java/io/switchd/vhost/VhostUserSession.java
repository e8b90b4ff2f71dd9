package io.switchd.vhost;

import io.switchd.sys.LibC;

import java.util.logging.Logger;

import static io.switchd.vhost.VhostUserMessage.*;
import static io.switchd.vhost.VhostUserProtocol.*;

/**
 * One vhost-user front-end's conversation with the device: checks each request (the front-end is
 * not trusted), turns the ones that change the device into {@link VhostBackend} calls, and writes
 * the replies. It knows nothing of sockets: the connection feeds it whole messages with the
 * descriptors that came with them, so tests can feed it crafted ones.
 *
 * <p>Two kinds of trouble. A message that breaks the framing (wrong version, a size that does not
 * fit the request, descriptors where none belong or too many) throws {@link VhostProtocolException}
 * out of {@link #handle}: the connection must close. A well-formed request that cannot be carried
 * out (an unsupported request, a ring index out of range, the backend refusing) is answered as
 * failed when the front-end asked for a reply (need_reply, REPLY_ACK), and otherwise also closes
 * the connection: a front-end that does not learn of the failure would go on with a device that
 * is not what it thinks.
 *
 * <p>need_reply is answered whenever it is set, REPLY_ACK negotiated or not: a front-end sets it
 * only when it waits for the answer, and one that waits in vain hangs.
 *
 * <p>Descriptors handed to {@link #handle} are the session's: those given to the backend are the
 * backend's from then on, all others are closed before {@link #handle} returns or throws.
 */
public final class VhostUserSession {
    private static final Logger LOG = Logger.getLogger(VhostUserSession.class.getName());
    /** The descriptors the session has given away or closed are marked so in the caller's array. */
    private static final int GONE = -1;

    private final VhostBackend backend;
    private final String name;
    private boolean owned;
    private long ackedFeatures;
    private long ackedProtocolFeatures;
    private boolean disconnected;

    /** A session driving {@code backend}; {@code name} says which in log lines (e.g. the socket's path). */
    public VhostUserSession(VhostBackend backend, String name) {
        this.backend = backend;
        this.name = name;
    }

    /** The virtio features the front-end acknowledged last (0 before SET_FEATURES). */
    public long ackedFeatures() {
        return ackedFeatures;
    }

    /** The protocol features the front-end acknowledged last. */
    public long ackedProtocolFeatures() {
        return ackedProtocolFeatures;
    }

    /** The protocol features offered: the backend's, cut down to those this session carries out. */
    public long offeredProtocolFeatures() {
        return backend.offeredProtocolFeatures() & SUPPORTED_PROTOCOL_FEATURES;
    }

    /**
     * Handles one whole request, {@code request}, with the descriptors {@code fds[0 .. fdCount)}
     * that came with it (the session's from now on); writes the reply, if one is due, into
     * {@code reply} and returns true, false when nothing is to be sent. Throws when the
     * connection must close; the message says why.
     */
    public boolean handle(VhostUserMessage request, int[] fds, int fdCount, VhostUserMessage reply)
            throws VhostProtocolException {
        try {
            if (disconnected) {
                throw new VhostProtocolException("a request after the session ended");
            }
            if (request.version() != VERSION || request.isReply()) {
                throw new VhostProtocolException("a message with flags 0x" + Integer.toHexString(request.flags())
                        + " (version 1 expected, no reply bit)");
            }
            if (fdCount > MAX_REGIONS) {
                throw new VhostProtocolException(fdCount + " file descriptors with one message (at most " + MAX_REGIONS + ")");
            }
            int req = request.request();
            boolean ownReply;
            try {
                ownReply = dispatch(req, request, fds, fdCount, reply);
            } catch (Failed failed) {
                if (!request.needReply() || hasOwnReply(req)) {
                    // a request with a reply of its own has no way to say it failed
                    throw new VhostProtocolException(requestName(req) + " failed: " + failed.getMessage());
                }
                LOG.warning("vhost-user " + name + ": " + requestName(req) + " failed, answered so: " + failed.getMessage());
                reply.header(req, VERSION | FLAG_REPLY, U64_SIZE).u64(1);
                return true;
            }
            if (ownReply) {
                return true;
            }
            if (request.needReply()) {
                reply.header(req, VERSION | FLAG_REPLY, U64_SIZE).u64(0);
                return true;
            }
            return false;
        } finally {
            closeRemaining(fds, fdCount);
        }
    }

    /** The front-end went away: tells the backend, once. */
    public void disconnected() {
        if (!disconnected) {
            disconnected = true;
            backend.disconnected();
        }
    }

    /** Carries out one request; true when it wrote a reply of its own. */
    private boolean dispatch(int req, VhostUserMessage m, int[] fds, int fdCount, VhostUserMessage reply)
            throws VhostProtocolException, Failed {
        switch (req) {
            case GET_FEATURES -> {
                expect(m, 0, fdCount, 0);
                replyU64(reply, req, backend.offeredFeatures());
                return true;
            }
            case SET_FEATURES -> {
                expect(m, U64_SIZE, fdCount, 0);
                long acked = m.u64();
                long extra = acked & ~backend.offeredFeatures();
                if (extra != 0) {
                    throw new Failed("features not offered: " + VirtioFeatures.names(extra));
                }
                call(() -> backend.features(acked));
                ackedFeatures = acked;
            }
            case SET_OWNER -> {
                expect(m, 0, fdCount, 0);
                if (owned) {
                    backend.reset(); // a second SET_OWNER starts the device over
                }
                owned = true;
            }
            case RESET_OWNER -> {
                expect(m, 0, fdCount, 0);
                backend.reset();
                owned = false;
                ackedFeatures = 0;
            }
            case GET_PROTOCOL_FEATURES -> {
                expect(m, 0, fdCount, 0);
                requireProtocolFeaturesOffered();
                replyU64(reply, req, offeredProtocolFeatures());
                return true;
            }
            case SET_PROTOCOL_FEATURES -> {
                expect(m, U64_SIZE, fdCount, 0);
                requireProtocolFeaturesOffered();
                long acked = m.u64();
                if ((acked & ~offeredProtocolFeatures()) != 0) {
                    throw new Failed("protocol features not offered: 0x" + Long.toHexString(acked & ~offeredProtocolFeatures()));
                }
                call(() -> backend.protocolFeatures(acked));
                ackedProtocolFeatures = acked;
            }
            case GET_QUEUE_NUM -> {
                expect(m, 0, fdCount, 0);
                requireProtocolFeature(F_MQ, false);
                replyU64(reply, req, backend.queueCount());
                return true;
            }
            case SET_MEM_TABLE -> memoryTable(m, fds, fdCount);
            case GET_MAX_MEM_SLOTS -> {
                expect(m, 0, fdCount, 0);
                requireProtocolFeature(F_CONFIGURE_MEM_SLOTS, false);
                replyU64(reply, req, MAX_REGIONS);
                return true;
            }
            case ADD_MEM_REG -> {
                expect(m, SINGLE_REGION_SIZE, fdCount, 1);
                requireProtocolFeature(F_CONFIGURE_MEM_SLOTS, true);
                MemoryRegion region = checked(m.singleRegion());
                int fd = take(fds, 0);
                call(() -> backend.addRegion(region, fd));
            }
            case REM_MEM_REG -> {
                // the spec lets old front-ends pass a descriptor here; it is closed unused
                expect(m, SINGLE_REGION_SIZE, fdCount, fdCount == 1 ? 1 : 0);
                requireProtocolFeature(F_CONFIGURE_MEM_SLOTS, true);
                MemoryRegion region = m.singleRegion();
                call(() -> backend.removeRegion(region));
            }
            case SET_VRING_NUM -> {
                expect(m, STATE_SIZE, fdCount, 0);
                int index = ringIndex(m.stateIndex());
                int num = m.stateNum();
                call(() -> backend.vringNum(index, num));
            }
            case SET_VRING_ADDR -> {
                expect(m, ADDR_SIZE, fdCount, 0);
                VringAddress address = m.vringAddress();
                ringIndex(address.index());
                call(() -> backend.vringAddress(address));
            }
            case SET_VRING_BASE -> {
                expect(m, STATE_SIZE, fdCount, 0);
                int index = ringIndex(m.stateIndex());
                int base = m.stateNum();
                call(() -> backend.vringBase(index, base));
            }
            case GET_VRING_BASE -> {
                expect(m, STATE_SIZE, fdCount, 0);
                int index = ringIndex(m.stateIndex());
                int base;
                try {
                    base = backend.stopVring(index);
                } catch (VhostProtocolException e) {
                    throw new Failed(e.getMessage());
                }
                reply.header(req, VERSION | FLAG_REPLY, STATE_SIZE).state(index, base);
                return true;
            }
            case SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR -> vringFd(req, m, fds, fdCount);
            case SET_VRING_ENABLE -> {
                expect(m, STATE_SIZE, fdCount, 0);
                int index = ringIndex(m.stateIndex());
                int num = m.stateNum();
                if (num != 0 && num != 1) {
                    throw new Failed("enable must be 0 or 1, not " + Integer.toUnsignedString(num));
                }
                call(() -> backend.vringEnable(index, num == 1));
            }
            default -> {
                // SET_LOG_BASE/SET_LOG_FD (LOG_SHMFD not offered), GET_CONFIG/SET_CONFIG (CONFIG not
                // offered), SET_BACKEND_REQ_FD (BACKEND_REQ not offered) and anything unknown. The
                // payload's shape is unknown, so only the bounds the connection enforced hold.
                throw new Failed("not supported by switchd");
            }
        }
        return false;
    }

    private void memoryTable(VhostUserMessage m, int[] fds, int fdCount) throws VhostProtocolException, Failed {
        if (m.size() < MEM_REGIONS) {
            throw new VhostProtocolException("SET_MEM_TABLE with a " + m.size() + "-byte payload (at least " + MEM_REGIONS + ")");
        }
        long n = m.regionCount();
        if (n < 1 || n > MAX_REGIONS) {
            throw new VhostProtocolException("SET_MEM_TABLE with " + n + " regions (1 to " + MAX_REGIONS + ")");
        }
        // QEMU and DPDK send only the regions in use; the whole 8-region struct is accepted too
        long used = MEM_REGIONS + n * REGION_BYTES;
        if (m.size() != used && m.size() != MEM_REGIONS + (long) MAX_REGIONS * REGION_BYTES) {
            throw new VhostProtocolException("SET_MEM_TABLE of " + n + " regions in a " + m.size() + "-byte payload");
        }
        if (fdCount != n) {
            throw new VhostProtocolException("SET_MEM_TABLE of " + n + " regions with " + fdCount + " file descriptors");
        }
        MemoryRegion[] regions = new MemoryRegion[(int) n];
        for (int i = 0; i < n; i++) {
            regions[i] = checked(m.region(i));
        }
        int[] given = new int[(int) n];
        for (int i = 0; i < n; i++) {
            given[i] = take(fds, i);
        }
        call(() -> backend.memoryTable(regions, given));
    }

    /** SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR: a u64 of index and no-descriptor flag. */
    private void vringFd(int req, VhostUserMessage m, int[] fds, int fdCount) throws VhostProtocolException, Failed {
        if (m.size() != U64_SIZE) {
            throw new VhostProtocolException(requestName(req) + " with a " + m.size() + "-byte payload (" + U64_SIZE + " expected)");
        }
        long value = m.u64();
        if ((value & ~(VRING_INDEX_MASK | VRING_NOFD)) != 0) {
            throw new VhostProtocolException(requestName(req) + " with unknown bits set: 0x" + Long.toHexString(value));
        }
        boolean noFd = (value & VRING_NOFD) != 0;
        if (fdCount != (noFd ? 0 : 1)) {
            throw new VhostProtocolException(requestName(req) + " with " + fdCount + " file descriptors"
                    + (noFd ? " and the no-descriptor flag" : " (1 expected)"));
        }
        int index = ringIndex((int) (value & VRING_INDEX_MASK));
        int fd = noFd ? -1 : take(fds, 0);
        switch (req) {
            case SET_VRING_KICK -> {
                call(() -> backend.vringKick(index, fd));
                if (!VirtioFeatures.has(ackedFeatures, VirtioFeatures.PROTOCOL_FEATURES)) {
                    // Without protocol features a ring is enabled as it starts; with them it waits for SET_VRING_ENABLE.
                    call(() -> backend.vringEnable(index, true));
                }
            }
            case SET_VRING_CALL -> call(() -> backend.vringCall(index, fd));
            default -> call(() -> backend.vringErr(index, fd));
        }
    }

    private static void expect(VhostUserMessage m, int size, int fdCount, int fds) throws VhostProtocolException {
        if (m.size() != size) {
            throw new VhostProtocolException(requestName(m.request()) + " with a " + m.size() + "-byte payload ("
                    + size + " expected)");
        }
        if (fdCount != fds) {
            throw new VhostProtocolException(requestName(m.request()) + " with " + fdCount + " file descriptors ("
                    + fds + " expected)");
        }
    }

    private int ringIndex(int index) throws Failed {
        long rings = 2L * backend.queueCount();
        if (Integer.toUnsignedLong(index) >= rings) {
            throw new Failed("ring index " + Integer.toUnsignedString(index) + " out of range (the device has " + rings + " rings)");
        }
        return index;
    }

    /** A region whose ends do not wrap around the address space and that is not empty. */
    private static MemoryRegion checked(MemoryRegion r) throws VhostProtocolException {
        if (r.size() == 0 || Long.compareUnsigned(r.guestPhysAddr() + r.size(), r.guestPhysAddr()) < 0
                || Long.compareUnsigned(r.userAddr() + r.size(), r.userAddr()) < 0
                || Long.compareUnsigned(r.mmapOffset() + r.size(), r.mmapOffset()) < 0) {
            throw new VhostProtocolException("a memory region that is empty or wraps around: " + r);
        }
        return r;
    }

    private void requireProtocolFeaturesOffered() throws Failed {
        if (!VirtioFeatures.has(backend.offeredFeatures(), VirtioFeatures.PROTOCOL_FEATURES)) {
            throw new Failed("protocol features are not offered");
        }
    }

    /** The protocol feature must be offered, and when {@code acked}, acknowledged. */
    private void requireProtocolFeature(int bit, boolean acked) throws Failed {
        long have = acked ? ackedProtocolFeatures : offeredProtocolFeatures();
        if ((have & (1L << bit)) == 0) {
            throw new Failed("protocol feature " + bit + (acked ? " not negotiated" : " not offered"));
        }
    }

    private static boolean hasOwnReply(int req) {
        return req == GET_FEATURES || req == GET_PROTOCOL_FEATURES || req == GET_QUEUE_NUM || req == GET_VRING_BASE
                || req == GET_MAX_MEM_SLOTS || req == GET_CONFIG;
    }

    private static void replyU64(VhostUserMessage reply, int req, long value) {
        reply.header(req, VERSION | FLAG_REPLY, U64_SIZE).u64(value);
    }

    /** Hands descriptor {@code i} over: the caller's array no longer owns it. */
    private static int take(int[] fds, int i) {
        int fd = fds[i];
        fds[i] = GONE;
        return fd;
    }

    private static void closeRemaining(int[] fds, int fdCount) {
        for (int i = 0; i < fdCount; i++) {
            if (fds[i] >= 0) {
                LibC.close(fds[i]);
            }
            fds[i] = GONE;
        }
    }

    /** A backend call; its refusal fails the request. */
    private static void call(BackendCall c) throws Failed {
        try {
            c.run();
        } catch (VhostProtocolException e) {
            throw new Failed(e.getMessage());
        }
    }

    @FunctionalInterface
    private interface BackendCall {
        void run() throws VhostProtocolException;
    }

    /** A well-formed request that could not be carried out: answered as failed when a reply was asked for. */
    private static final class Failed extends Exception {
        Failed(String message) {
            super(message, null, false, false);
        }
    }
}

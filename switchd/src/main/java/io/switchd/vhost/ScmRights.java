package io.switchd.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.LibC;

/**
 * recvmsg and sendmsg on a unix stream socket with descriptors (SCM_RIGHTS) beside the bytes, in
 * the same call: Netty's {@code Socket.recvFd} reads one byte with a descriptor, and a domain
 * socket channel in descriptor mode loses the bytes, so the vhost-user connection calls libc
 * itself. The message header, its one iovec and room for {@link #MAX_FDS} descriptors are set up
 * once in one direct buffer. Received descriptors are close-on-exec (MSG_CMSG_CLOEXEC): a process
 * switchd starts must not inherit a guest's memory. One thread uses an instance.
 *
 * <pre>
 *  [msghdr 56, padded to 64][iovec 16][control: cmsghdr 16 | int fds[8] 32]   (fds[N] with more room)
 *  msghdr:  name 0 | namelen 8 | iov 16 | iovlen 24 | control 32 | controllen 40 | flags 48
 *  cmsghdr: len 0 (size_t) | level 8 | type 12 | data 16
 * </pre>
 */
final class ScmRights {
    /** The most descriptors one message may carry (a full memory table's). */
    static final int MAX_FDS = VhostUserMessage.MAX_REGIONS;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_CTRUNC = 0x8;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int IOVEC = 64;
    private static final int CONTROL = 80;
    private static final int CMSGHDR = 16;
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;

    private final int controlSpace;
    private final ByteBuf io;
    private final long base;
    private int received;
    private boolean overflowed;

    /** Room for {@link #MAX_FDS} descriptors per message. */
    ScmRights() {
        this(MAX_FDS);
    }

    /** Room for {@code maxFds} descriptors per message (tests send more than a front-end may). */
    ScmRights(int maxFds) {
        controlSpace = CMSGHDR + 4 * maxFds;
        io = Unpooled.directBuffer(CONTROL + controlSpace, CONTROL + controlSpace);
        base = io.memoryAddress();
        io.setZero(0, io.capacity());
        io.setLongLE(MSG_IOV, base + IOVEC);
        io.setLongLE(MSG_IOVLEN, 1);
    }

    /**
     * One non-blocking recvmsg of at most {@code length} bytes into {@code address}; descriptors
     * that came are stored from {@code fds[have]} on ({@link #received()} says how many): bytes
     * read, 0 at end of stream, -1 with errno set. Descriptors beyond the array's room, or that
     * the kernel had to drop for want of control room, are closed and reported by {@link #overflowed()}.
     */
    long receive(int fd, long address, int length, int[] fds, int have) {
        io.setLongLE(IOVEC, address);
        io.setLongLE(IOVEC + 8, length);
        io.setLongLE(MSG_CONTROL, base + CONTROL);
        io.setLongLE(MSG_CONTROLLEN, controlSpace);
        io.setIntLE(MSG_FLAGS, 0);
        received = 0;
        overflowed = false;
        long n = LibC.recvmsg(fd, base, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0) {
            return n;
        }
        overflowed = (io.getIntLE(MSG_FLAGS) & MSG_CTRUNC) != 0;
        long controlLength = io.getLongLE(MSG_CONTROLLEN);
        int at = 0;
        while (at + CMSGHDR <= controlLength) {
            long cmsgLength = io.getLongLE(CONTROL + at);
            if (cmsgLength < CMSGHDR || at + cmsgLength > controlLength) {
                break;
            }
            if (io.getIntLE(CONTROL + at + CMSG_LEVEL) == SOL_SOCKET && io.getIntLE(CONTROL + at + CMSG_TYPE) == SCM_RIGHTS) {
                for (int off = CMSGHDR; off + 4 <= cmsgLength; off += 4) {
                    int passed = io.getIntLE(CONTROL + at + off);
                    if (have + received < fds.length) {
                        fds[have + received++] = passed;
                    } else {
                        LibC.close(passed);
                        overflowed = true;
                    }
                }
            }
            at += (int) ((cmsgLength + 7) & ~7L);
        }
        return n;
    }

    /** How many descriptors the last {@link #receive} stored. */
    int received() {
        return received;
    }

    /** Whether the last {@link #receive} had more descriptors than there was room for (all closed). */
    boolean overflowed() {
        return overflowed;
    }

    /**
     * One non-blocking sendmsg of {@code length} bytes at {@code address} with descriptors
     * {@code fds[0 .. fdCount)} (at most the room made for them): bytes sent, or -1 with errno set.
     * Never raises SIGPIPE.
     */
    long send(int fd, long address, int length, int[] fds, int fdCount) {
        io.setLongLE(IOVEC, address);
        io.setLongLE(IOVEC + 8, length);
        if (fdCount > 0) {
            int len = CMSGHDR + 4 * fdCount;
            io.setLongLE(CONTROL, len);
            io.setIntLE(CONTROL + CMSG_LEVEL, SOL_SOCKET);
            io.setIntLE(CONTROL + CMSG_TYPE, SCM_RIGHTS);
            for (int i = 0; i < fdCount; i++) {
                io.setIntLE(CONTROL + CMSGHDR + 4 * i, fds[i]);
            }
            io.setLongLE(MSG_CONTROL, base + CONTROL);
            io.setLongLE(MSG_CONTROLLEN, (len + 7) & ~7);
        } else {
            io.setLongLE(MSG_CONTROL, 0);
            io.setLongLE(MSG_CONTROLLEN, 0);
        }
        io.setIntLE(MSG_FLAGS, 0);
        return LibC.sendmsg(fd, base, MSG_DONTWAIT | MSG_NOSIGNAL);
    }

    /** Frees the buffer. */
    void release() {
        io.release();
    }
}

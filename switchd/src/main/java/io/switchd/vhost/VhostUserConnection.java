package io.switchd.vhost;

import com.sun.jna.Native;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.FileDescriptor;
import io.switchd.sys.Errno;
import io.switchd.sys.LibC;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connected vhost-user front-end on an event loop: reads its messages (a message may arrive
 * in pieces; the descriptors come with its first bytes), feeds them whole to the session, sends
 * the replies. Each read asks for no more than the current message still lacks, so the next
 * message's descriptors are never taken for this one's. Whatever breaks the protocol closes the
 * connection with one warning; the backend hears {@code disconnected()} either way. Only the
 * loop's thread touches it.
 */
final class VhostUserConnection implements EpollIoHandle {
    private static final Logger LOG = Logger.getLogger(VhostUserConnection.class.getName());
    /** Messages handled per wake-up at most, so a chatty front-end cannot hold the loop. */
    private static final int MESSAGE_BUDGET = 64;

    private final FileDescriptor fd;
    private final VhostUserSession session;
    private final String name;
    private final Consumer<VhostUserConnection> onClosed;
    private final ScmRights scm = new ScmRights();
    private final VhostUserMessage in = new VhostUserMessage();
    private final VhostUserMessage out = new VhostUserMessage();
    private final int[] fds = new int[ScmRights.MAX_FDS];
    private int fdCount;
    /** Bytes of the current message read so far. */
    private int have;
    private IoRegistration registration;
    private boolean closed;

    /** A connection on {@code fd} (non-blocking) driving {@code session}; {@code onClosed} hears when it ends. */
    VhostUserConnection(int fd, VhostUserSession session, String name, Consumer<VhostUserConnection> onClosed) {
        this.fd = new FileDescriptor(fd);
        this.session = session;
        this.name = name;
        this.onClosed = onClosed;
    }

    /** Called on the loop once the descriptor is on its epoll set. */
    void registered(IoRegistration registration) {
        if (closed) {
            registration.cancel();
        } else {
            this.registration = registration;
        }
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        for (int messages = 0; messages < MESSAGE_BUDGET && !closed; ) {
            int want = have < VhostUserMessage.HEADER_SIZE ? VhostUserMessage.HEADER_SIZE - have : in.length() - have;
            long n = scm.receive(fd.intValue(), in.address() + have, want, fds, fdCount);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EAGAIN) {
                    return;
                }
                if (errno != Errno.EINTR) {
                    close(errno == Errno.ECONNRESET ? Level.INFO : Level.WARNING,
                            errno == Errno.ECONNRESET ? "connection reset" : "reading failed: " + Errno.describe(errno));
                }
                continue;
            }
            fdCount += scm.received();
            if (scm.overflowed()) {
                close(Level.WARNING, "more than " + ScmRights.MAX_FDS + " file descriptors with one message");
                return;
            }
            if (n == 0) {
                close(Level.INFO, null);
                return;
            }
            have += (int) n;
            if (have == VhostUserMessage.HEADER_SIZE && in.size() > VhostUserMessage.MAX_PAYLOAD) {
                close(Level.WARNING, "a " + VhostUserProtocol.requestName(in.request()) + " message of " + in.size()
                        + " bytes (at most " + VhostUserMessage.MAX_PAYLOAD + ")");
                return;
            }
            if (have >= VhostUserMessage.HEADER_SIZE && have == in.length()) {
                have = 0;
                messages++;
                dispatch();
            }
        }
    }

    private void dispatch() {
        int count = fdCount;
        fdCount = 0; // the session's from here on
        boolean replied;
        try {
            replied = session.handle(in, fds, count, out);
        } catch (VhostProtocolException e) {
            close(Level.WARNING, e.getMessage());
            return;
        } catch (RuntimeException e) {
            close(Level.WARNING, "the device failed on " + VhostUserProtocol.requestName(in.request()) + ": " + e);
            return;
        }
        if (replied) {
            long n = scm.send(fd.intValue(), out.address(), out.length(), fds, 0);
            if (n != out.length()) {
                int errno = n < 0 ? Native.getLastError() : 0;
                if (errno == Errno.EPIPE || errno == Errno.ECONNRESET) {
                    close(Level.INFO, Errno.describe(errno));
                } else {
                    // replies are a few bytes: a socket buffer full of them means the front-end stopped reading
                    close(Level.WARNING, "a reply could not be sent whole (the front-end does not read its replies): "
                            + (n < 0 ? Errno.describe(errno) : n + " of " + out.length() + " bytes"));
                }
            }
        }
    }

    /** Ends the connection: off the loop, descriptors closed, the backend told; logs once, with {@code why} when it is not a plain end of stream. */
    void close(Level level, String why) {
        if (closed) {
            return;
        }
        closed = true;
        IoRegistration reg = registration;
        if (reg != null) {
            reg.cancel(); // before close: a reused descriptor number must not collide in Netty's map
        }
        for (int i = 0; i < fdCount; i++) {
            LibC.close(fds[i]);
        }
        fdCount = 0;
        try {
            fd.close();
        } catch (IOException e) {
            LOG.fine("closing the vhost-user socket " + name + ": " + e.getMessage());
        }
        try {
            session.disconnected();
        } finally {
            scm.release();
            in.release();
            out.release();
            LOG.log(level, level == Level.INFO ? "vhost-user " + name + ": front-end disconnected" + (why == null ? "" : " (" + why + ")")
                    : "vhost-user " + name + ": closed the connection: " + why);
            onClosed.accept(this);
        }
    }

    @Override
    public void close() {
        // Netty calls this at shutdown while the registration is still valid
        close(Level.INFO, "the event loop is shutting down");
    }
}

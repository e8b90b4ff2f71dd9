package io.switchd.vhost;

import com.sun.jna.Native;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchd.sys.Errno;
import io.switchd.sys.LibC;
import io.switchd.sys.UnixSocketFiles;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The unix socket a vhost-user front-end (QEMU, DPDK's virtio-user) reaches a device through, on
 * one event loop, in either mode: as a server switchd listens on the path (mode 0660, a stale file
 * from an earlier run replaced, one front-end at a time: a second one is closed at once); as a
 * client switchd connects to the path the front-end listens on, and tries again every second
 * while it is not connected (a timer on the loop, nothing waits). Each connection gets a fresh
 * {@link VhostUserSession} over the same backend.
 *
 * <p>Sockets are made, bound, listened on and connected with Netty's {@code unix.Socket}: its
 * natives are already linked, and its sockets are non-blocking and close-on-exec. accept is
 * libc's accept4 (through {@link LibC}): Netty's accept copies the peer's address into a
 * caller's array of fixed size, which a peer bound to a long path would overflow. Messages go
 * through {@link ScmRights} (recvmsg/sendmsg), which Netty does not offer with bytes and
 * descriptors together.
 */
public final class VhostUserEndpoint implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VhostUserEndpoint.class.getName());
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int ECONNABORTED = 103;
    private static final long RETRY_SECONDS = 1;
    private static final int ACCEPT_BUDGET = 16;

    /** Who listens on the path. */
    public enum Mode {
        /** switchd listens, the front-end connects (QEMU's {@code -chardev socket,path=...}). */
        SERVER,
        /** the front-end listens, switchd connects (QEMU's {@code server=on}, testpmd's {@code server=1}). */
        CLIENT
    }

    private final Path path;
    private final Mode mode;
    private final IoEventLoop loop;
    private final VhostBackend backend;
    private final String name;
    private Socket listening;
    private IoRegistration listenerRegistration;
    private VhostUserConnection active;
    private ScheduledFuture<?> retry;
    private boolean waitingLogged;
    private boolean refusalLogged;
    private boolean closed;
    private volatile boolean connected;
    private volatile long connections;
    private volatile long refused;

    private VhostUserEndpoint(Path path, Mode mode, IoEventLoop loop, VhostBackend backend) {
        this.path = path;
        this.mode = mode;
        this.loop = loop;
        this.backend = backend;
        this.name = path.toString();
    }

    /**
     * Listens on {@code path} for a front-end, on {@code loop}, for {@code backend}. Throws when the
     * path is served by another process, or the socket cannot be made there.
     */
    public static VhostUserEndpoint server(Path path, IoEventLoop loop, VhostBackend backend) throws IOException {
        Epoll.ensureAvailability();
        VhostUserEndpoint e = new VhostUserEndpoint(path, Mode.SERVER, loop, backend);
        e.listen();
        return e;
    }

    /** Connects to the front-end listening on {@code path}, on {@code loop}, for {@code backend}; retries every second. */
    public static VhostUserEndpoint client(Path path, IoEventLoop loop, VhostBackend backend) {
        Epoll.ensureAvailability();
        VhostUserEndpoint e = new VhostUserEndpoint(path, Mode.CLIENT, loop, backend);
        loop.execute(e::attempt);
        return e;
    }

    /** Starts an endpoint in {@code mode}: {@link #server} or {@link #client}. */
    public static VhostUserEndpoint start(Mode mode, Path path, IoEventLoop loop, VhostBackend backend) throws IOException {
        return mode == Mode.SERVER ? server(path, loop, backend) : client(path, loop, backend);
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    /** Who listens. */
    public Mode mode() {
        return mode;
    }

    /** Whether a front-end is connected now. */
    public boolean connected() {
        return connected;
    }

    /** How many front-end connections this endpoint has had. */
    public long connections() {
        return connections;
    }

    /** How many front-ends were turned away because one was connected already (server mode). */
    public long refused() {
        return refused;
    }

    private void listen() throws IOException {
        if (Files.exists(path)) {
            if (UnixSocketFiles.listening(path)) {
                throw new IOException("another process is listening on " + path);
            }
            Files.delete(path); // left behind by a process that died
        }
        Socket s = Socket.newSocketDomain();
        try {
            s.bind(new DomainSocketAddress(path.toString()));
            // before listen: nobody can connect until the mode and group are right. The group is
            // the directory's: under /run/switchd, switchd's control group, as for switchctl
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            UnixSocketFiles.setGroup(path, Files.readAttributes(path.toAbsolutePath().getParent(),
                    PosixFileAttributes.class).group());
            s.listen(4);
        } catch (IOException | RuntimeException e) {
            s.close();
            Files.deleteIfExists(path);
            throw e;
        }
        listening = s;
        register(new Listener(s), reg -> listenerRegistration = reg, () -> {});
        LOG.info("vhost-user " + name + ": listening for a front-end");
    }

    /** Client mode: one connection attempt; on failure the next is a timer on the loop. */
    private void attempt() {
        retry = null;
        if (closed || active != null) {
            return;
        }
        Socket s = Socket.newSocketDomain();
        try {
            if (s.connect(new DomainSocketAddress(path.toString()))) {
                waitingLogged = false;
                attach(s.intValue());
                return;
            }
            s.close(); // in progress: not how unix sockets connect; try again later
        } catch (IOException e) {
            closeQuietly(s);
            if (!waitingLogged) {
                waitingLogged = true;
                String why = e instanceof Errors.NativeIoException n ? Errno.describe(-n.expectedErr())
                        : e instanceof FileNotFoundException ? "no socket there yet" : String.valueOf(e.getMessage());
                LOG.info("vhost-user " + name + ": waiting for the front-end to listen (retrying every second): " + why);
            }
        }
        scheduleAttempt();
    }

    private void scheduleAttempt() {
        if (!closed && mode == Mode.CLIENT && retry == null) {
            try {
                retry = loop.schedule(this::attempt, RETRY_SECONDS, TimeUnit.SECONDS);
            } catch (RejectedExecutionException stopping) {
                // the loop is shutting down (its connections are closed by Netty): no more attempts
            }
        }
    }

    /** A front-end is connected on {@code fd}: a new session on the loop. */
    private void attach(int fd) {
        VhostUserConnection c = new VhostUserConnection(fd, new VhostUserSession(backend, name), name, this::ended);
        active = c;
        refusalLogged = false;
        connected = true;
        connections++;
        LOG.info("vhost-user " + name + ": front-end connected");
        register(c, c::registered, () -> c.close(Level.WARNING, "could not be put on the event loop"));
    }

    private void ended(VhostUserConnection c) {
        if (active == c) {
            active = null;
            connected = false;
            scheduleAttempt();
        }
    }

    private void register(EpollIoHandle handle, Consumer<IoRegistration> then, Runnable failed) {
        loop.register(handle).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warning("vhost-user " + name + ": cannot register with the event loop: " + f.cause());
                failed.run();
                return;
            }
            IoRegistration reg = (IoRegistration) f.getNow();
            if (closed && handle instanceof Listener) {
                reg.cancel();
                return;
            }
            reg.submit(EpollIoOps.EPOLLIN);
            then.accept(reg);
        });
    }

    /** Stops listening or retrying, ends the connection (the backend hears disconnected), removes the server's socket file. */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeNow();
            return;
        }
        try {
            loop.submit(this::closeNow).syncUninterruptibly();
        } catch (RejectedExecutionException stopping) {
            closeNow(); // the loop is gone: nothing else runs this endpoint
        }
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        if (active != null) {
            active.close(Level.INFO, "the endpoint was closed");
        }
        if (listenerRegistration != null) {
            listenerRegistration.cancel();
        }
        if (listening != null) {
            closeQuietly(listening);
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warning("vhost-user " + name + ": cannot remove the socket file: " + e.getMessage());
            }
        }
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }

    @Override
    public String toString() {
        return "vhost-user " + mode.name().toLowerCase() + " " + name;
    }

    /** Server mode: the listening socket on the loop; accepts one front-end at a time. */
    private final class Listener implements EpollIoHandle {
        private final Socket socket;

        Listener(Socket socket) {
            this.socket = socket;
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            // a budget per wake-up: a flood of connections cannot hold the loop (level-triggered: the rest come next)
            for (int accepted = 0; accepted < ACCEPT_BUDGET && !closed; accepted++) {
                int fd = LibC.accept4(socket.intValue(), 0L, 0L, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                    int errno = Native.getLastError();
                    if (errno == Errno.EINTR || errno == ECONNABORTED) {
                        continue;
                    }
                    if (errno != Errno.EAGAIN) {
                        LOG.warning("vhost-user " + name + ": accept failed: " + Errno.describe(errno));
                    }
                    return;
                }
                if (active != null) {
                    LibC.close(fd);
                    refused++;
                    if (!refusalLogged) {
                        refusalLogged = true;
                        LOG.warning("vhost-user " + name + ": refused another front-end: one is connected already"
                                + " (one at a time; further refusals are counted, not logged)");
                    }
                    continue;
                }
                attach(fd);
            }
        }

        @Override
        public void close() {
            // Netty calls this at shutdown; the endpoint closes the socket
        }
    }
}

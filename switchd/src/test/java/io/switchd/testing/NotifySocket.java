package io.switchd.testing;

import com.sun.jna.Memory;
import io.switchd.sys.Errno;
import io.switchd.sys.LibC;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** A stand-in for systemd's notify socket: an AF_UNIX datagram socket that collects sd_notify messages. */
public final class NotifySocket implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;
    private final int fd;
    private final Path path;
    private final Memory buffer = new Memory(4096);

    public NotifySocket(Path path) throws Exception {
        this.path = path;
        fd = Errno.check(LibC.socket(1, 2 | 0x80000, 0), "socket(AF_UNIX, SOCK_DGRAM)");
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        Memory addr = new Memory(110);
        addr.clear();
        addr.setShort(0, (short) 1);
        addr.write(2, p, 0, p.length);
        Errno.check(LibC.bind(fd, addr, 2 + p.length + 1), "bind " + path);
    }

    /** The socket's path, for NOTIFY_SOCKET. */
    public Path path() {
        return path;
    }

    /** The next message, or null when none came within {@code timeout}. */
    public String next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long n = LibC.recv(fd, com.sun.jna.Pointer.nativeValue(buffer), buffer.size(), MSG_DONTWAIT);
            if (n >= 0) {
                return new String(buffer.getByteArray(0, (int) n), StandardCharsets.UTF_8);
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}

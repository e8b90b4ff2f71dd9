package io.switchd.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.link.LinkListener;
import io.switchd.link.LinkMonitor;
import io.switchd.sys.LibC;
import io.switchd.sys.Netlink;
import io.switchd.sys.SysException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The test's own ear on rtnetlink: when each interface's link notifications arrived, so a test can
 * measure how long switchd took to follow one.
 */
public final class LinkEvents implements AutoCloseable {
    private final int fd;
    private final Map<String, List<Long>> times = new HashMap<>();
    private final Thread reader;
    private volatile boolean closed;

    private LinkEvents(int fd) {
        this.fd = fd;
        this.reader = new Thread(this::read, "test-link-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts listening to link notifications in the test's namespace. */
    public static LinkEvents open() throws SysException {
        return new LinkEvents(Netlink.openLinkMonitor());
    }

    private void read() {
        ByteBuf buf = Unpooled.directBuffer(64 * 1024);
        LinkListener record = new LinkListener() {
            @Override
            public void linkChanged(int index, String name) {
                long now = System.nanoTime();
                synchronized (times) {
                    times.computeIfAbsent(name, k -> new ArrayList<>()).add(now);
                }
            }

            @Override
            public void resync() {}
        };
        try {
            while (!closed) {
                long n = LibC.recv(fd, buf.memoryAddress(), buf.capacity(), 0);
                if (n > 0) {
                    LinkMonitor.parse(buf, (int) n, record);
                } else {
                    LockSupport.parkNanos(200_000); // non-blocking socket: look again shortly
                }
            }
        } finally {
            buf.release();
        }
    }

    /**
     * When the last notification about {@code name} between {@code since} and {@code until} (nanoTime)
     * arrived: the one a state seen at {@code until} followed; or -1.
     */
    public long lastBetween(String name, long since, long until) {
        synchronized (times) {
            long last = -1;
            for (long t : times.getOrDefault(name, List.of())) {
                if (t > since && t <= until) {
                    last = t;
                }
            }
            return last;
        }
    }

    /** When the first notification about {@code name} after {@code since} (nanoTime) arrived, or -1. */
    public long firstAfter(String name, long since) {
        synchronized (times) {
            for (long t : times.getOrDefault(name, List.of())) {
                if (t > since) {
                    return t;
                }
            }
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        reader.join(1000);
        LibC.close(fd);
    }
}

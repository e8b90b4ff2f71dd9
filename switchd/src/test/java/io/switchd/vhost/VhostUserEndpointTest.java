package io.switchd.vhost;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.switchd.sys.LibC;
import io.switchd.testing.Await;
import io.switchd.testing.LogRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.switchd.vhost.VhostUserMessage.*;
import static io.switchd.vhost.VhostUserProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/** The endpoint's sockets: file mode, stale files, one front-end at a time, framing over a real socket, client retries. */
class VhostUserEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static MultiThreadIoEventLoopGroup group;
    private static IoEventLoop loop;
    private final RecordingBackend backend = new RecordingBackend();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = (IoEventLoop) group.next();
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void theSocketIsForOwnerAndGroupAndAStaleFileIsReplaced() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path), "a socket file left behind");
        try (VhostUserEndpoint e = VhostUserEndpoint.server(path, loop, backend)) {
            assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(path));
            try (TestFrontend f = TestFrontend.connect(path)) {
                f.header(GET_FEATURES, 0, 0);
                f.send();
                assertEquals(RecordingBackend.OFFERED, f.awaitReply().u64());
            }
        }
        assertFalse(Files.exists(path), "close() removes the socket file");
        Await.until(WAIT, "disconnected()", () -> backend.disconnects() == 1);
    }

    @Test
    void aSocketSomeoneListensOnIsLeftAlone() throws Exception {
        Path path = dir.resolve("busy.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            IOException e = assertThrows(IOException.class, () -> VhostUserEndpoint.server(path, loop, backend));
            assertTrue(e.getMessage().contains("another process is listening"), e.getMessage());
            assertTrue(Files.exists(path));
        }
    }

    @Test
    void aSecondFrontEndIsRefusedWhileOneIsConnected() throws Exception {
        Path path = dir.resolve("one.sock");
        try (LogRecords logs = LogRecords.capture();
             VhostUserEndpoint e = VhostUserEndpoint.server(path, loop, backend);
             TestFrontend first = TestFrontend.connect(path)) {
            Await.until(WAIT, "the first front-end connected", e::connected);
            try (TestFrontend second = TestFrontend.connect(path)) {
                second.awaitClosedByPeer();
            }
            assertEquals(1, e.refused());
            Await.until(WAIT, () -> "one warning: " + logs.at(Level.WARNING),
                    () -> logs.at(Level.WARNING, "refused another front-end").size() == 1);
            first.header(GET_QUEUE_NUM, 0, 0);
            first.send();
            assertEquals(1, first.awaitReply().u64(), "the first goes on");
            assertEquals(0, backend.disconnects());
        }
    }

    @Test
    void messagesAndTheirDescriptorsMayArriveInPieces() throws Exception {
        Path path = dir.resolve("pieces.sock");
        try (VhostUserEndpoint e = VhostUserEndpoint.server(path, loop, backend);
             TestFrontend f = TestFrontend.connect(path)) {
            int call = LibC.open("/dev/null", O_RDONLY_CLOEXEC);
            f.header(SET_VRING_CALL, FLAG_NEED_REPLY, U64_SIZE).u64(1);
            f.sendPart(0, 5, call);
            LibC.close(call); // the endpoint has its own copy now
            f.sendPart(5, HEADER_SIZE);
            f.sendPart(HEADER_SIZE, HEADER_SIZE + 3);
            f.sendPart(HEADER_SIZE + 3, HEADER_SIZE + U64_SIZE);
            assertEquals(0, f.awaitReply().u64());
            assertEquals(SET_VRING_CALL, f.reply.request());
            f.header(GET_FEATURES, 0, 0);
            f.sendPart(0, 7);
            f.sendPart(7, HEADER_SIZE);
            assertEquals(RecordingBackend.OFFERED, f.awaitReply().u64());
            assertEquals("vringCall 1 fd", backend.events().get(0));
        }
    }

    @Test
    void anOversizedMessageClosesTheConnection() throws Exception {
        Path path = dir.resolve("big.sock");
        try (LogRecords logs = LogRecords.capture();
             VhostUserEndpoint e = VhostUserEndpoint.server(path, loop, backend);
             TestFrontend f = TestFrontend.connect(path)) {
            f.header(SET_MEM_TABLE, 0, 1 << 20);
            f.sendPart(0, HEADER_SIZE);
            f.awaitClosedByPeer();
            Await.until(WAIT, "disconnected()", () -> backend.disconnects() == 1);
            // the warning may come a moment after the close, from the loop's thread
            Await.until(WAIT, () -> "one warning naming the size: " + logs.at(Level.WARNING),
                    () -> logs.at(Level.WARNING, "1048576 bytes").size() == 1);
            Await.until(WAIT, "the endpoint free for the next front-end", () -> !e.connected());
        }
    }

    @Test
    void tooManyDescriptorsCloseTheConnection() throws Exception {
        Path path = dir.resolve("fds.sock");
        try (LogRecords logs = LogRecords.capture();
             VhostUserEndpoint e = VhostUserEndpoint.server(path, loop, backend);
             TestFrontend f = TestFrontend.connect(path)) {
            int[] fds = new int[12];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = LibC.open("/dev/null", O_RDONLY_CLOEXEC);
            }
            int size = f.message.memoryTable(new MemoryRegion(0, 4096, 0, 0));
            f.header(SET_MEM_TABLE, 0, size);
            f.send(fds);
            for (int fd : fds) {
                LibC.close(fd);
            }
            f.awaitClosedByPeer();
            Await.until(WAIT, "disconnected()", () -> backend.disconnects() == 1);
            Await.until(WAIT, () -> "one warning naming the count: " + logs.at(Level.WARNING),
                    () -> logs.at(Level.WARNING, "more than 8 file descriptors").size() == 1);
            assertNull(backend.table(), "nothing reached the backend");
        }
    }

    @Test
    void theClientRetriesUntilTheFrontEndListensAndAfterItLeaves() throws Exception {
        Path path = dir.resolve("client.sock");
        try (LogRecords logs = LogRecords.capture();
             VhostUserEndpoint e = VhostUserEndpoint.client(path, loop, backend)) {
            long later = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            Await.until(WAIT, "time to pass", () -> System.nanoTime() > later);
            Await.until(WAIT, "the endpoint free for the next front-end", () -> !e.connected());
            assertEquals(1, logs.at(Level.INFO, "waiting for the front-end").size(), "said once, not per retry");
            try (ServerSocketChannel frontEnd = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                frontEnd.bind(UnixDomainSocketAddress.of(path));
                try (SocketChannel c = frontEnd.accept()) {
                    Await.until(WAIT, "connected", e::connected);
                    ByteBuffer getFeatures = ByteBuffer.allocate(HEADER_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    getFeatures.putInt(GET_FEATURES).putInt(VERSION).putInt(0).flip();
                    c.write(getFeatures);
                    ByteBuffer reply = ByteBuffer.allocate(HEADER_SIZE + U64_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    while (reply.hasRemaining()) {
                        assertTrue(c.read(reply) >= 0);
                    }
                    assertEquals(RecordingBackend.OFFERED, reply.getLong(HEADER_SIZE));
                }
                Await.until(WAIT, "disconnected()", () -> backend.disconnects() == 1);
                try (SocketChannel again = frontEnd.accept()) {
                    Await.until(WAIT, "connected again", e::connected);
                    assertEquals(2, e.connections());
                }
            }
        }
    }
}

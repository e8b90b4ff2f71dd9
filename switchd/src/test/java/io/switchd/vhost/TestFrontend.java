package io.switchd.vhost;

import com.sun.jna.Native;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.switchd.sys.Errno;
import io.switchd.testing.Await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hand-written vhost-user front-end for socket tests: sends crafted messages, whole or in
 * pieces, with descriptors (as many as a test likes), and reads replies with a deadline.
 */
final class TestFrontend implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Socket socket;
    private final ScmRights scm = new ScmRights(16);
    final VhostUserMessage message = new VhostUserMessage();
    final VhostUserMessage reply = new VhostUserMessage();

    private TestFrontend(Socket socket) {
        this.socket = socket;
    }

    /** Connects to the endpoint listening on {@code path}. */
    static TestFrontend connect(Path path) throws IOException {
        Socket s = Socket.newSocketDomain();
        assertTrue(s.connect(new DomainSocketAddress(path.toString())), "a unix socket connects at once");
        return new TestFrontend(s);
    }

    /** Writes a header into {@link #message}; the payload is the caller's to write. */
    VhostUserMessage header(int request, int flags, int size) {
        return message.header(request, VhostUserMessage.VERSION | flags, size);
    }

    /** Sends bytes {@code [from, to)} of {@link #message} with these descriptors. */
    void sendPart(int from, int to, int... fds) {
        long n = scm.send(socket.intValue(), message.address() + from, to - from, fds, fds.length);
        assertTrue(n == to - from, "sent " + n + " of " + (to - from) + " bytes, errno " + Native.getLastError());
    }

    /** Sends {@link #message} whole with these descriptors. */
    void send(int... fds) {
        sendPart(0, message.length(), fds);
    }

    /** Reads one whole reply into {@link #reply}, failing after a deadline. */
    VhostUserMessage awaitReply() {
        int[] have = {0};
        int[] fds = new int[16];
        Await.until(WAIT, "a reply", () -> {
            int want = have[0] < VhostUserMessage.HEADER_SIZE ? VhostUserMessage.HEADER_SIZE - have[0] : reply.length() - have[0];
            if (want == 0) {
                return true;
            }
            long n = scm.receive(socket.intValue(), reply.address() + have[0], want, fds, 0);
            if (n == 0) {
                throw new AssertionError("the endpoint closed the connection instead of replying");
            }
            if (n > 0) {
                have[0] += (int) n;
            }
            return have[0] >= VhostUserMessage.HEADER_SIZE && have[0] == reply.length();
        });
        return reply;
    }

    /** Waits until the endpoint closes the connection (end of stream or reset). */
    void awaitClosedByPeer() {
        int[] fds = new int[16];
        Await.until(WAIT, "the endpoint to close the connection", () -> {
            long n = scm.receive(socket.intValue(), reply.address(), reply.capacity(), fds, 0);
            return n == 0 || (n < 0 && Native.getLastError() != Errno.EAGAIN);
        });
    }

    @Override
    public void close() throws IOException {
        socket.close();
        scm.release();
        message.release();
        reply.release();
    }
}

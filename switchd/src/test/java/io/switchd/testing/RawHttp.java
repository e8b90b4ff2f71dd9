package io.switchd.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client connection to a unix socket that writes whatever bytes a test gives it, however
 * malformed or slow, and reads what comes back without blocking, polling with a deadline.
 */
public final class RawHttp implements AutoCloseable {
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3}) ");
    private static final Pattern LENGTH = Pattern.compile("(?i)\\r\\ncontent-length: *(\\d+)");

    private final SocketChannel ch;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean closed;

    private RawHttp(SocketChannel ch) {
        this.ch = ch;
    }

    /** A connection to {@code socket}. */
    public static RawHttp connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.configureBlocking(false);
        return new RawHttp(ch);
    }

    /** Writes {@code text} (ISO-8859-1); false when the server has closed its end. */
    public boolean send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes {@code bytes} as far as the socket takes them within 5 s; false when the server has closed. */
    public boolean send(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try {
            while (b.hasRemaining() && System.nanoTime() < deadline) {
                if (ch.write(b) == 0) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            return !b.hasRemaining();
        } catch (IOException e) {
            return false;
        }
    }

    /** The next whole response within {@code timeout}, or null; the connection may still be open after it. */
    public Answer answer(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Answer a = parse();
            if (a != null || closed || System.nanoTime() > deadline) {
                return a;
            }
            readSome();
        }
    }

    /** Whether the server closes the connection within {@code timeout}. */
    public boolean closedWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && System.nanoTime() <= deadline) {
            readSome();
        }
        return closed;
    }

    private void readSome() {
        ByteBuffer b = ByteBuffer.allocate(16 * 1024);
        try {
            int n = ch.read(b);
            if (n < 0) {
                closed = true;
            } else if (n == 0) {
                LockSupport.parkNanos(1_000_000);
            } else {
                received.write(b.array(), 0, n);
            }
        } catch (IOException e) {
            closed = true;
        }
    }

    private Answer parse() {
        String text = received.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        Matcher status = STATUS.matcher(text);
        if (end < 0 || !status.find()) {
            return null;
        }
        Matcher length = LENGTH.matcher(text.substring(0, end + 2));
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        if (text.length() < end + 4 + bodyLength) {
            return null;
        }
        byte[] rest = text.substring(end + 4 + bodyLength).getBytes(StandardCharsets.ISO_8859_1);
        received.reset();
        received.write(rest, 0, rest.length);
        return new Answer(Integer.parseInt(status.group(1)), text.substring(0, end),
                text.substring(end + 4, end + 4 + bodyLength));
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    /** A response: status, headers and body. */
    public record Answer(int status, String headers, String body) {}
}

package io.switchd.api.client;

import io.switchd.api.Json;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An answer that goes on for as long as the daemon sends it (a capture): a GET whose chunked body
 * is copied as it arrives, then its trailers. {@link #close} from another thread (Ctrl-C) ends the
 * copy early.
 */
public final class StreamedAnswer implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;
    private final Map<String, String> headers;
    private final Map<String, String> trailers = new LinkedHashMap<>();

    private StreamedAnswer(SocketChannel channel, InputStream in, Map<String, String> headers) {
        this.channel = channel;
        this.in = in;
        this.headers = headers;
    }

    /** Sends {@code GET path} to the daemon on {@code socket}; a 4xx or 5xx answer throws its message. */
    public static StreamedAnswer get(Path socket, String path) throws IOException, ApiException {
        if (!path.matches("[^\\s]+")) {
            throw new IllegalArgumentException("not an HTTP path: " + path);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer req = ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: switchd\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            while (req.hasRemaining()) {
                ch.write(req);
            }
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024);
            String status = line(in);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[0-9]{3}")) {
                throw new IOException("not an HTTP answer: " + status);
            }
            int code = Integer.parseInt(parts[1]);
            Map<String, String> headers = fields(in);
            if (code >= 400) {
                throw new ApiException(code, errorText(in, headers, code));
            }
            if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                throw new IOException("the daemon's answer is not a stream (HTTP " + code + ")");
            }
            return new StreamedAnswer(ch, in, headers);
        } catch (IOException | ApiException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A response header (name in lower case), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** A trailer (name in lower case) once {@link #copyTo} has returned at the end of the answer, or null. */
    public String trailer(String name) {
        return trailers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Copies the body to {@code out} as it arrives, flushing after each chunk, until the answer ends
     * (true) or the connection does (false: closed by the daemon or by {@link #close}).
     */
    public boolean copyTo(OutputStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        try {
            while (true) {
                String sizeLine = line(in);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    trailers.putAll(fields(in));
                    return true;
                }
                while (size > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, size));
                    if (n < 0) {
                        return false;
                    }
                    out.write(buf, 0, n);
                    size -= n;
                }
                out.flush();
                line(in); // the CRLF after the chunk
            }
        } catch (EOFException | java.nio.channels.ClosedChannelException e) {
            return false;
        } catch (IOException e) {
            if (!channel.isOpen()) {
                return false;
            }
            throw e;
        } catch (NumberFormatException e) {
            throw new IOException("the daemon sent a bad chunk size");
        }
    }

    /** Ends the answer: the daemon sees the client go and stops. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static String errorText(InputStream in, Map<String, String> headers, int code) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            try {
                byte[] body = in.readNBytes((int) Math.min(1 << 20, Long.parseLong(length.trim())));
                var n = Json.mapper().readTree(body);
                if (n != null && n.hasNonNull("error")) {
                    return n.get("error").asText();
                }
            } catch (IOException | NumberFormatException e) {
                // fall through
            }
        }
        return "HTTP " + code;
    }

    private static Map<String, String> fields(InputStream in) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                out.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
        }
        return out;
    }

    /** One CRLF-ended line, without the CRLF; at most 8 KiB. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the daemon closed the connection");
            }
            if (c == '\n') {
                byte[] got = b.toByteArray();
                int n = got.length > 0 && got[got.length - 1] == '\r' ? got.length - 1 : got.length;
                return new String(got, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (b.size() > 8192) {
                throw new IOException("a line of the daemon's answer is over 8 KiB");
            }
            b.write(c);
        }
    }
}

package io.switchd.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A client of the control API over its unix socket, one request per connection. HTTP/1.1 is
 * written and read here, in the little of it the daemon speaks (a request with Content-Length, an
 * answer with Content-Length, then the connection closed): switchctl starts on every call, and an
 * HTTP library's classes cost it more time than the exchange itself.
 */
public final class SwitchdClient {
    private static final int MAX_RESPONSE = 64 << 20;
    private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};
    private final Path socket;

    /** A client of the daemon listening on {@code socket}. */
    public SwitchdClient(Path socket) {
        this.socket = socket;
    }

    /** One raw exchange: the status and body the daemon answered. */
    public Response exchange(String method, String path, byte[] body) throws IOException {
        if (!method.matches("[A-Za-z]+") || !path.matches("[^\\s]+")) {
            throw new IllegalArgumentException("not an HTTP method and path: " + method + " " + path);
        }
        String head = method + " " + path + " HTTP/1.1\r\nHost: switchd\r\nConnection: close\r\nContent-Length: "
                + body.length + "\r\n" + (body.length > 0 ? "Content-Type: application/json\r\n" : "") + "\r\n";
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            IOException writeFailed = null;
            try {
                for (ByteBuffer b : new ByteBuffer[] {ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)),
                    ByteBuffer.wrap(body)}) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (IOException e) {
                // The daemon may answer before the body is in (413) and close: its answer is still to be read.
                writeFailed = e;
            }
            Response r = read(ch);
            if (r == null) {
                throw writeFailed != null ? writeFailed : new IOException("the daemon closed the connection without an answer");
            }
            return r;
        }
    }

    /** The answer on {@code ch}: status line, headers, Content-Length bytes of body; null if it closes before the headers end. */
    private static Response read(SocketChannel ch) throws IOException {
        byte[] got = new byte[64 * 1024];
        int size = 0;
        int headEnd = -1;
        int status = 0;
        long length = -1;
        while (true) {
            if (size == got.length) {
                if (got.length >= MAX_RESPONSE) {
                    throw new IOException("the daemon's answer is over " + (MAX_RESPONSE >> 20) + " MiB");
                }
                got = Arrays.copyOf(got, got.length * 2);
            }
            int n = ch.read(ByteBuffer.wrap(got, size, got.length - size));
            int before = size;
            size += Math.max(n, 0);
            if (headEnd < 0) {
                headEnd = indexOf(got, Math.max(0, before - END_OF_HEADERS.length), size, END_OF_HEADERS);
                if (headEnd >= 0) {
                    String[] lines = new String(got, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
                    status = status(lines[0]);
                    length = contentLength(lines);
                    headEnd += END_OF_HEADERS.length;
                }
            }
            if (headEnd >= 0 && (length >= 0 ? size - headEnd >= length : n < 0)) {
                return new Response(status, Arrays.copyOfRange(got, headEnd, length >= 0 ? headEnd + (int) length : size));
            }
            if (n < 0) {
                if (headEnd >= 0) {
                    throw new IOException("the daemon closed the connection in the middle of its answer");
                }
                return null;
            }
        }
    }

    private static int status(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[0-9]{3}")) {
            throw new IOException("not an HTTP answer: " + statusLine);
        }
        return Integer.parseInt(parts[1]);
    }

    /** The Content-Length header's value, or -1 without one (the body then ends when the connection does). */
    private static long contentLength(String[] lines) throws IOException {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon < 0 ? "" : lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : lines[i].substring(colon + 1).trim();
            if (name.equals("transfer-encoding")) {
                throw new IOException("the daemon's answer is " + value + "-encoded, which this client does not read");
            }
            if (name.equals("content-length")) {
                try {
                    long n = Long.parseLong(value);
                    if (n >= 0 && n <= MAX_RESPONSE) {
                        return n;
                    }
                } catch (NumberFormatException e) {
                    // answered below
                }
                throw new IOException("the daemon's answer has Content-Length " + value);
            }
        }
        return -1;
    }

    private static int indexOf(byte[] data, int from, int to, byte[] what) {
        outer:
        for (int i = from; i + what.length <= to; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Sends a request and decodes a successful JSON answer as {@code type}; an error status throws. */
    public <T> T call(String method, String path, Object body, TypeReference<T> type) throws IOException, ApiException {
        Response r = exchange(method, path, body == null ? new byte[0] : Json.mapper().writeValueAsBytes(body));
        if (r.status() >= 400) {
            throw new ApiException(r.status(), errorText(r));
        }
        if (type == null || r.body().length == 0) {
            return null;
        }
        return Json.mapper().readValue(r.body(), type);
    }

    /** Sends a request and returns the JSON tree of a successful answer (null for 204). */
    public JsonNode call(String method, String path, Object body) throws IOException, ApiException {
        return call(method, path, body, new TypeReference<JsonNode>() { });
    }

    /** The text of a successful plain answer, such as /metrics. */
    public String text(String path) throws IOException, ApiException {
        Response r = exchange("GET", path, new byte[0]);
        if (r.status() >= 400) {
            throw new ApiException(r.status(), errorText(r));
        }
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String errorText(Response r) {
        try {
            JsonNode n = Json.mapper().readTree(r.body());
            if (n != null && n.hasNonNull("error")) {
                return n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: fall through
        }
        return "HTTP " + r.status();
    }

    /** A status and body. */
    public record Response(int status, byte[] body) {}
}

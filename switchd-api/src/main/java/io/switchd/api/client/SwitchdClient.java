package io.switchd.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.switchd.api.Json;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A client of the control API over its unix socket, one request per connection. The bytes go
 * through the JDK's unix-domain SocketChannel; HTTP framing is Netty's codec run in an embedded
 * channel, so a short-lived CLI starts no event loop.
 */
public final class SwitchdClient {
    private static final int MAX_RESPONSE = 64 << 20;
    private final Path socket;

    /** A client of the daemon listening on {@code socket}. */
    public SwitchdClient(Path socket) {
        this.socket = socket;
    }

    /** One raw exchange: the status and body the daemon answered. */
    public Response exchange(String method, String path, byte[] body) throws IOException {
        EmbeddedChannel codec = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE));
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path,
                    Unpooled.wrappedBuffer(body));
            req.headers().set(HttpHeaderNames.HOST, "switchd");
            req.headers().set(HttpHeaderNames.CONNECTION, "close");
            req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (body.length > 0) {
                req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            }
            codec.writeOutbound(req);
            IOException writeFailed = null;
            ByteBuf out;
            while ((out = codec.readOutbound()) != null) {
                try {
                    ByteBuffer nio = out.nioBuffer();
                    while (writeFailed == null && nio.hasRemaining()) {
                        ch.write(nio);
                    }
                } catch (IOException e) {
                    // The daemon may answer before the body is in (413) and close: its answer is still to be read.
                    writeFailed = e;
                } finally {
                    out.release();
                }
            }
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (true) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    codec.finish();
                } else {
                    in.flip();
                    codec.writeInbound(Unpooled.copiedBuffer(in));
                }
                FullHttpResponse res = codec.readInbound();
                if (res != null) {
                    try {
                        return new Response(res.status().code(), ByteBufUtil.getBytes(res.content()));
                    } finally {
                        res.release();
                    }
                }
                if (n < 0) {
                    if (writeFailed != null) {
                        throw writeFailed;
                    }
                    throw new IOException("the daemon closed the connection without an answer");
                }
            }
        } finally {
            codec.finishAndReleaseAll();
        }
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

package io.switchd.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One HTTP connection to the control API or the metrics listener: decoded requests in, router answers out. */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(HttpHandler.class.getName());
    private final ApiRouter router;
    private final boolean apiAllowed;
    /** The connection carries a streamed answer (a capture) until it closes: any further request is ignored. */
    private boolean streaming;

    HttpHandler(ApiRouter router, boolean apiAllowed) {
        this.router = router;
        this.apiAllowed = apiAllowed;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (streaming) {
            return; // an answer is still being streamed on this connection; the stream said Connection: close
        }
        if (!req.decoderResult().isSuccess()) {
            respond(ctx, undecodable(req.decoderResult().cause()), false);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(req.content());
        ApiResponse a = router.handle(req.method().name(), req.uri(), body, apiAllowed);
        if (a.streamer() != null) {
            streaming = true;
            a.streamer().start(ctx);
            return;
        }
        respond(ctx, a, HttpUtil.isKeepAlive(req));
    }

    private static ApiResponse undecodable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return ApiResponse.error(414, "the request line is over " + ControlServer.MAX_LINE + " bytes");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiResponse.error(431, "the request headers are over " + ControlServer.MAX_HEADERS / 1024 + " KiB");
        }
        return ApiResponse.error(400, "malformed HTTP request: " + cause.getMessage());
    }

    /** Writes {@code a} as an HTTP response, closing the connection after it unless {@code keepAlive}. */
    static void respond(ChannelHandlerContext ctx, ApiResponse a, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(response(a, true));
        } else {
            ctx.writeAndFlush(response(a, false)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** {@code a} as an HTTP response that keeps the connection open or says it closes. */
    static FullHttpResponse response(ApiResponse a, boolean keepAlive) {
        ByteBuf content;
        if (a.writer() == null) {
            content = Unpooled.wrappedBuffer(a.body());
        } else {
            content = ByteBufAllocator.DEFAULT.buffer();
            try {
                a.writer().writeTo(new ByteBufOutputStream(content));
            } catch (IOException | RuntimeException e) {
                content.release();
                LOG.log(Level.SEVERE, "writing an answer failed", e);
                return response(ApiResponse.error(500, "internal error: " + e), keepAlive);
            }
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()),
                content);
        if (content.isReadable()) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
        }
        HttpUtil.setContentLength(res, content.readableBytes());
        res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return res;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine("control connection closed: " + cause);
        ctx.close();
    }
}

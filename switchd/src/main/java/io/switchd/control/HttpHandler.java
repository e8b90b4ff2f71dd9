package io.switchd.control;

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
import io.netty.handler.timeout.IdleStateEvent;

import java.util.logging.Logger;

/** One HTTP connection to the control API or the metrics listener: decoded requests in, router answers out. */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(HttpHandler.class.getName());
    private final ApiRouter router;
    private final boolean apiAllowed;

    HttpHandler(ApiRouter router, boolean apiAllowed) {
        this.router = router;
        this.apiAllowed = apiAllowed;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        ApiResponse answer;
        if (!req.decoderResult().isSuccess()) {
            answer = ApiResponse.error(400, "malformed HTTP request: " + req.decoderResult().cause().getMessage());
            respond(ctx, answer, false);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(req.content());
        answer = router.handle(req.method().name(), req.uri(), body, apiAllowed);
        respond(ctx, answer, HttpUtil.isKeepAlive(req));
    }

    private static void respond(ChannelHandlerContext ctx, ApiResponse a, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()),
                Unpooled.wrappedBuffer(a.body()));
        if (a.body().length > 0) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
        }
        HttpUtil.setContentLength(res, a.body().length);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close(); // a client that sends nothing (or never finishes a request) loses its connection
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine("control connection closed: " + cause);
        ctx.close();
    }
}

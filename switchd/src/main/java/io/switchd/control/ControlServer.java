package io.switchd.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchd.StartupException;
import io.switchd.config.ControlConfig;
import io.switchd.config.MetricsConfig;
import io.switchd.sys.UnixSocketFiles;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Serves the control API on a unix socket (mode 0660, the configured group) and /metrics on a TCP
 * listener, both on one event loop of their own, apart from the forwarding loops. What one client
 * can hold is bounded: a request line, headers and body of fixed sizes, a deadline for each
 * request, and a number of connections per listener, so memory stays bounded whatever clients do.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    /** The largest request body the API reads; larger ones get 413. */
    public static final int MAX_BODY = 64 * 1024;
    /** The longest request line; longer ones get 414. */
    public static final int MAX_LINE = 4096;
    /** The most header bytes a request may have; more get 431. */
    public static final int MAX_HEADERS = 8192;

    /**
     * How long a request may take to arrive whole (408 after that, and the connection closed) and
     * how many connections each listener holds at once (503 to the ones beyond).
     */
    public record Limits(Duration requestTimeout, int maxConnections) {
        /** 10 s per request, 128 connections per listener. */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), 128);
    }

    private final MultiThreadIoEventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("switchd-control", true), EpollIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();
    private Path socketPath;

    private ControlServer() {}

    /** Starts serving {@code router} as {@code control} and {@code metrics} say, with the default limits. */
    public static ControlServer start(ApiRouter router, ControlConfig control, MetricsConfig metrics) {
        return start(router, control, metrics, Limits.DEFAULT);
    }

    /** Starts serving {@code router} as {@code control} and {@code metrics} say, within {@code limits}. */
    public static ControlServer start(ApiRouter router, ControlConfig control, MetricsConfig metrics, Limits limits) {
        ControlServer s = new ControlServer();
        try {
            s.bindUnix(router, control, limits);
            if (!metrics.listen().isEmpty()) {
                s.bindTcp(router, metrics.listen(), limits);
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void bindUnix(ApiRouter router, ControlConfig control, Limits limits) {
        Path path = Path.of(control.socket());
        GroupPrincipal owners = group(path, control.group());
        try {
            createDirectories(path.getParent(), owners);
            if (Files.exists(path)) {
                if (UnixSocketFiles.listening(path)) {
                    throw new StartupException("another process is serving " + path + " (is switchd running already?)");
                }
                Files.delete(path); // left behind by a daemon that died
            }
        } catch (IOException e) {
            throw new StartupException("cannot prepare the control socket " + path + ": " + e);
        }
        Channel ch = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(initializer(router, true, limits)).bind(new DomainSocketAddress(path.toString()))
                .syncUninterruptibly().channel();
        channels.add(ch);
        socketPath = path;
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            UnixSocketFiles.setGroup(path, owners);
        } catch (IOException e) {
            throw new StartupException("cannot set the control socket's mode: " + e);
        }
        LOG.info("control API on unix socket " + path);
    }

    /**
     * Makes the control socket's directory (/run/switchd by default) before the ports open, so that
     * the vhost-user sockets switchd makes there are in it, in its group, from the start.
     */
    public static void prepareDirectory(ControlConfig control) {
        Path path = Path.of(control.socket());
        try {
            GroupPrincipal owners = control.group().isEmpty() ? null
                    : path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(control.group());
            createDirectories(path.getParent(), owners);
        } catch (UserPrincipalNotFoundException e) {
            // bindUnix warns about it once; the directory is made there, as root's
        } catch (IOException e) {
            throw new StartupException("cannot prepare the control socket's directory " + path.getParent() + ": " + e);
        }
    }

    /** The socket's group, or null when none is configured or it does not exist (then only root gets in). */
    private static GroupPrincipal group(Path path, String group) {
        if (group.isEmpty()) {
            return null;
        }
        try {
            return path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            // The default config names the group install.sh makes, so a run by hand from a clone lands here.
            LOG.warning("control socket group " + group + " does not exist, so only root can use " + path
                    + " (mode 0660, in the group switchd runs as); expected when switchd is not installed as a"
                    + " service. install.sh makes the group; or set switchd.control.group to a group that"
                    + " exists, or to \"\" for root only without this warning");
            return null;
        } catch (IOException e) {
            throw new StartupException("cannot look up the control socket's group " + group + ": " + e);
        }
    }

    /**
     * Creates the socket's missing directories as rwxr-x--- in the socket's group, whatever the
     * umask: the group must be able to reach the socket, and nobody else needs to.
     */
    private static void createDirectories(Path dir, GroupPrincipal group) throws IOException {
        Path first = dir;
        while (first.getParent() != null && !Files.exists(first.getParent())) {
            first = first.getParent();
        }
        if (Files.exists(first)) {
            return;
        }
        Files.createDirectories(dir);
        for (Path d = dir; d != null && d.startsWith(first); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-x---"));
            UnixSocketFiles.setGroup(d, group);
        }
    }


    private void bindTcp(ApiRouter router, String listen, Limits limits) {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        try {
            Channel ch = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(initializer(router, false, limits)).bind(new InetSocketAddress(host, port))
                    .syncUninterruptibly().channel();
            channels.add(ch);
            LOG.info("metrics on http://" + listen + "/metrics");
        } catch (RuntimeException e) {
            throw new StartupException("cannot listen for metrics on " + listen + ": " + e.getMessage()
                    + " (set switchd.metrics.listen, or \"\" for no listener)");
        }
    }

    private static ChannelInitializer<Channel> initializer(ApiRouter router, boolean api, Limits limits) {
        AtomicInteger open = new AtomicInteger();
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                boolean refused = open.incrementAndGet() > limits.maxConnections();
                ch.closeFuture().addListener(f -> open.decrementAndGet());
                pipeline(ch.pipeline(), router, api, limits, refused);
            }
        };
    }

    /**
     * Sets up one connection's handlers: HTTP decoding within the size limits, then either the
     * API (a request deadline, the router) or, when the listener is at its connection limit, a 503.
     */
    static void pipeline(ChannelPipeline p, ApiRouter router, boolean api, Limits limits, boolean refused) {
        p.addLast(new HttpServerCodec(MAX_LINE, MAX_HEADERS, 8192));
        if (refused) {
            p.addLast(new Refusal(limits.maxConnections()));
            return;
        }
        p.addLast(new JsonAggregator(MAX_BODY), new RequestDeadline(limits.requestTimeout()),
                new HttpHandler(router, api));
    }

    /** Answers a connection beyond the limit with 503 at once and closes it. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        private final int max;

        Refusal(int max) {
            this.max = max;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            HttpHandler.respond(ctx, ApiResponse.error(503, "too many connections: at most " + max
                    + " at once; try again when others have closed"), false);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Aggregates requests, answering one whose body is too large with a JSON 413, also when the
     * client announced it with Expect: 100-continue (or expected something else: 417).
     */
    private static final class JsonAggregator extends HttpObjectAggregator {
        JsonAggregator(int max) {
            super(max);
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int max, ChannelPipeline pipeline) {
            Object answer = super.newContinueResponse(start, max, pipeline);
            if (answer instanceof FullHttpResponse refusal && refusal.status().code() >= 400) {
                int status = refusal.status().code();
                refusal.release();
                return HttpHandler.response(ApiResponse.error(status, status == 413
                        ? "the request body is over " + (MAX_BODY / 1024) + " KiB"
                        : "only Expect: 100-continue is understood"), false);
            }
            return answer;
        }

        /**
         * Answers at once but leaves the connection open: the rest of the body is discarded as it
         * arrives, so a client still writing it reads the answer instead of a broken pipe; then the
         * client closes, or sends its next request, or its request deadline closes the connection.
         */
        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage m) {
            ctx.writeAndFlush(HttpHandler.response(ApiResponse.error(413, "the request body is over "
                    + (MAX_BODY / 1024) + " KiB"), HttpUtil.isKeepAlive(m)));
        }
    }

    /** The TCP metrics listener's port, or -1. */
    public int metricsPort() {
        for (Channel c : channels) {
            if (c.localAddress() instanceof InetSocketAddress a) {
                return a.getPort();
            }
        }
        return -1;
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                LOG.warning("cannot remove " + socketPath + ": " + e.getMessage());
            }
        }
    }
}

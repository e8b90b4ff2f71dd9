package io.switchd.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchd.StartupException;
import io.switchd.config.ControlConfig;
import io.switchd.config.MetricsConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Serves the control API on a unix socket (mode 0660, the configured group) and /metrics on a TCP
 * listener, both on one event loop of their own, apart from the forwarding loops.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    /** The largest request body the API reads; larger ones get 413. */
    public static final int MAX_BODY = 64 * 1024;
    private static final int IDLE_SECONDS = 30;

    private final MultiThreadIoEventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("switchd-control", true), EpollIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();
    private Path socketPath;

    private ControlServer() {}

    /** Starts serving {@code router} as {@code control} and {@code metrics} say. */
    public static ControlServer start(ApiRouter router, ControlConfig control, MetricsConfig metrics) {
        ControlServer s = new ControlServer();
        try {
            s.bindUnix(router, control);
            if (!metrics.listen().isEmpty()) {
                s.bindTcp(router, metrics.listen());
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void bindUnix(ApiRouter router, ControlConfig control) {
        Path path = Path.of(control.socket());
        GroupPrincipal owners = group(path, control.group());
        try {
            createDirectories(path.getParent(), owners);
            if (Files.exists(path)) {
                if (listening(path)) {
                    throw new StartupException("another process is serving " + path + " (is switchd running already?)");
                }
                Files.delete(path); // left behind by a daemon that died
            }
        } catch (IOException e) {
            throw new StartupException("cannot prepare the control socket " + path + ": " + e);
        }
        Channel ch = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(initializer(router, true)).bind(new DomainSocketAddress(path.toString()))
                .syncUninterruptibly().channel();
        channels.add(ch);
        socketPath = path;
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            setGroup(path, owners);
        } catch (IOException e) {
            throw new StartupException("cannot set the control socket's mode: " + e);
        }
        LOG.info("control API on unix socket " + path);
    }

    /** The socket's group, or null when none is configured or it does not exist (then only root gets in). */
    private static GroupPrincipal group(Path path, String group) {
        if (group.isEmpty()) {
            return null;
        }
        try {
            return path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            LOG.warning("control socket group " + group + " does not exist: only root can use " + path
                    + " (create the group or set switchd.control.group)");
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
            setGroup(d, group);
        }
    }

    private static void setGroup(Path path, GroupPrincipal group) throws IOException {
        if (group == null) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (!view.readAttributes().group().equals(group)) {
            view.setGroup(group); // under the unit it is already the service's group: no chown needed
        }
    }

    private static boolean listening(Path path) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void bindTcp(ApiRouter router, String listen) {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        try {
            Channel ch = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(initializer(router, false)).bind(new InetSocketAddress(host, port))
                    .syncUninterruptibly().channel();
            channels.add(ch);
            LOG.info("metrics on http://" + listen + "/metrics");
        } catch (RuntimeException e) {
            throw new StartupException("cannot listen for metrics on " + listen + ": " + e.getMessage()
                    + " (set switchd.metrics.listen, or \"\" for no listener)");
        }
    }

    private static ChannelInitializer<Channel> initializer(ApiRouter router, boolean api) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(
                        new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS),
                        new HttpServerCodec(4096, 8192, 8192),
                        new JsonAggregator(MAX_BODY),
                        new HttpHandler(router, api));
            }
        };
    }

    /** Aggregates requests, answering one whose body is too large with a JSON 413 and closing. */
    private static final class JsonAggregator extends HttpObjectAggregator {
        JsonAggregator(int max) {
            super(max);
        }

        @Override
        protected void handleOversizedMessage(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage m) {
            ApiResponse a = ApiResponse.error(413, "the request body is over " + (MAX_BODY / 1024) + " KiB");
            io.netty.handler.codec.http.FullHttpResponse res = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    io.netty.handler.codec.http.HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    io.netty.buffer.Unpooled.wrappedBuffer(a.body()));
            res.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE, a.contentType());
            io.netty.handler.codec.http.HttpUtil.setContentLength(res, a.body().length);
            res.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(res).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
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

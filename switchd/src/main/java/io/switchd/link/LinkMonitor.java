package io.switchd.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.switchd.sys.Errno;
import io.switchd.sys.Netlink;
import io.switchd.sys.SysException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * The rtnetlink socket, on an event loop like the ports: each RTM_NEWLINK and RTM_DELLINK in our
 * namespace is passed on as (index, name). The listener looks at the interface itself, so a
 * notification only says where to look; an overrun asks it to look everywhere.
 */
public final class LinkMonitor implements EpollIoHandle, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LinkMonitor.class.getName());
    /** One read takes a whole datagram; link notifications are well under a page each. */
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int READ_BUDGET = 64;

    private final FileDescriptor fd;
    private final LinkListener listener;
    private final ByteBuf buffer = Unpooled.directBuffer(BUFFER_SIZE, BUFFER_SIZE);
    private volatile IoRegistration registration;

    private LinkMonitor(int fd, LinkListener listener) {
        this.fd = new FileDescriptor(fd);
        this.listener = listener;
    }

    /** Subscribes to link notifications; nothing is reported until the monitor is registered. */
    public static LinkMonitor open(LinkListener listener) throws SysException {
        return new LinkMonitor(Netlink.openLinkMonitor(), listener);
    }

    /** Called on the loop once the socket is on its epoll set. */
    public void registered(IoRegistration registration) {
        this.registration = registration;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        for (int i = 0; i < READ_BUDGET; i++) {
            int n;
            try {
                n = fd.readAddress(buffer.memoryAddress(), 0, BUFFER_SIZE);
            } catch (Errors.NativeIoException e) {
                if (-e.expectedErr() == Errno.ENOBUFS) {
                    LOG.warning("link notifications were lost (the netlink socket overran); looking at every port again");
                    listener.resync();
                    continue;
                }
                LOG.warning("reading link notifications failed: " + e.getMessage());
                return;
            } catch (IOException e) {
                LOG.warning("reading link notifications failed: " + e.getMessage());
                return;
            }
            if (n <= 0) {
                return;
            }
            parse(buffer, n, listener);
        }
    }

    /** Passes every link message in the first {@code length} bytes of {@code buf} to {@code listener}. */
    public static void parse(ByteBuf buf, int length, LinkListener listener) {
        int at = 0;
        while (at + Netlink.NLMSG_HDRLEN <= length) {
            int msgLength = buf.getIntLE(at);
            int type = buf.getUnsignedShortLE(at + 4);
            if (msgLength < Netlink.NLMSG_HDRLEN || at + msgLength > length) {
                return; // truncated or garbage: nothing after it can be trusted
            }
            if ((type == Netlink.RTM_NEWLINK || type == Netlink.RTM_DELLINK)
                    && msgLength >= Netlink.NLMSG_HDRLEN + Netlink.IFINFOMSG_LEN) {
                int info = at + Netlink.NLMSG_HDRLEN;
                int index = buf.getIntLE(info + Netlink.IFI_INDEX);
                listener.linkChanged(index, name(buf, info + Netlink.IFINFOMSG_LEN, at + msgLength));
            }
            at += Netlink.align(msgLength);
        }
    }

    /** The IFLA_IFNAME attribute among the attributes in [{@code from}, {@code to}), or null. */
    private static String name(ByteBuf buf, int from, int to) {
        int at = from;
        while (at + Netlink.RTA_HDRLEN <= to) {
            int length = buf.getUnsignedShortLE(at);
            int type = buf.getUnsignedShortLE(at + 2) & 0x3FFF; // without NLA_F_NESTED / NET_BYTEORDER
            if (length < Netlink.RTA_HDRLEN || at + length > to) {
                return null;
            }
            if (type == Netlink.IFLA_IFNAME) {
                int end = at + Netlink.RTA_HDRLEN;
                while (end < at + length && buf.getByte(end) != 0) {
                    end++;
                }
                return buf.toString(at + Netlink.RTA_HDRLEN, end - at - Netlink.RTA_HDRLEN, StandardCharsets.US_ASCII);
            }
            at += Netlink.align(length);
        }
        return null;
    }

    @Override
    public void close() {
        // Netty calls this at shutdown; the socket is closed by closeSocket().
    }

    /** Stops the notifications and closes the socket. */
    public synchronized void closeSocket() {
        IoRegistration reg = registration;
        if (reg != null) {
            try {
                reg.cancel();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the loop has stopped: nothing reads the socket any more
            }
        }
        try {
            if (fd.isOpen()) {
                fd.close();
            }
        } catch (IOException e) {
            LOG.warning("closing the netlink socket failed: " + e.getMessage());
        }
        if (buffer.refCnt() > 0) {
            buffer.release();
        }
    }
}

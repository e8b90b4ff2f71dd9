package io.switchd.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an interface's kernel counters over rtnetlink (RTM_GETLINK, IFLA_STATS64), in our network
 * namespace or in another one that our namespace has an id for, which is where a TAP interface
 * moved into a container's namespace lives: sysfs only shows our own namespace.
 *
 * <pre>
 *  request:  [nlmsghdr 16][ifinfomsg 16][IFLA_IFNAME][IFLA_TARGET_NETNSID]
 *  reply:    [nlmsghdr 16][ifinfomsg 16][attributes ... IFLA_STATS64: struct rtnl_link_stats64]
 * </pre>
 */
public final class LinkCounters {
    /** What the reads below return when the counter cannot be read. */
    public static final long UNKNOWN = -1;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final short RTM_GETLINK = 18;
    private static final short RTM_NEWNSID = 88;
    private static final short RTM_GETNSID = 90;
    private static final short IFLA_STATS64 = 23;
    private static final short IFLA_TARGET_NETNSID = 46;
    private static final short NETNSA_NSID = 1;
    private static final short NETNSA_FD = 3;
    private static final int RTGENMSG_LEN = 4;
    /** Offset of tx_dropped in struct rtnl_link_stats64 (the eighth u64). */
    private static final int STATS64_TX_DROPPED = 56;
    private static final int BUFFER_SIZE = 32 * 1024;

    private LinkCounters() {}

    /**
     * tx_dropped of interface {@code name} in the namespace open at {@code nsfd}: for a TAP, the
     * frames the kernel could not queue to its descriptor. {@link #UNKNOWN} when our namespace
     * cannot see that one (it has no id for it) or the interface is not there.
     */
    public static long txDropped(String name, int nsfd) {
        byte[] ifname = name.getBytes(StandardCharsets.US_ASCII);
        if (ifname.length == 0 || ifname.length >= Interfaces.IFNAMSIZ) {
            return UNKNOWN;
        }
        int sock = Netlink.openRequests();
        if (sock < 0) {
            return UNKNOWN;
        }
        try {
            Memory buf = new Memory(BUFFER_SIZE);
            int nsid = -1;
            if (!isOurNamespace(nsfd)) {
                nsid = namespaceId(sock, buf, nsfd);
                if (nsid < 0) {
                    return UNKNOWN;
                }
            }
            buf.clear(64);
            int at = Netlink.NLMSG_HDRLEN + Netlink.IFINFOMSG_LEN;
            at = attribute(buf, at, (short) Netlink.IFLA_IFNAME, ifname.length + 1);
            buf.write(at - Netlink.align(ifname.length + 1), ifname, 0, ifname.length);
            if (nsid >= 0) {
                at = attribute(buf, at, IFLA_TARGET_NETNSID, 4);
                buf.setInt(at - 4, nsid);
            }
            header(buf, at, RTM_GETLINK);
            int n = exchange(sock, buf, at, (short) Netlink.RTM_NEWLINK);
            if (n < 0) {
                return UNKNOWN;
            }
            int stats = find(buf, Netlink.NLMSG_HDRLEN + Netlink.IFINFOMSG_LEN, n, IFLA_STATS64);
            return stats < 0 ? UNKNOWN : buf.getLong(stats + STATS64_TX_DROPPED);
        } finally {
            LibC.close(sock);
        }
    }

    /** Whether {@code nsfd} is the namespace this thread is in: both name the same nsfs inode. */
    private static boolean isOurNamespace(int nsfd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + nsfd))
                    .equals(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The id our namespace gives the one open at {@code nsfd} (RTM_GETNSID), or -1 when it has none. */
    private static int namespaceId(int sock, Memory buf, int nsfd) {
        buf.clear(64);
        int at = attribute(buf, Netlink.NLMSG_HDRLEN + RTGENMSG_LEN, NETNSA_FD, 4);
        buf.setInt(at - 4, nsfd);
        header(buf, at, RTM_GETNSID);
        int n = exchange(sock, buf, at, RTM_NEWNSID);
        if (n < 0) {
            return -1;
        }
        int id = find(buf, Netlink.NLMSG_HDRLEN + RTGENMSG_LEN, n, NETNSA_NSID);
        return id < 0 ? -1 : buf.getInt(id);
    }

    private static void header(Memory buf, int length, short type) {
        buf.setInt(0, length);
        buf.setShort(4, type);
        buf.setShort(6, (short) NLM_F_REQUEST);
        buf.setInt(8, 1);
    }

    /** Appends an attribute header for {@code length} payload bytes at {@code at}; returns the aligned end. */
    private static int attribute(Memory buf, int at, short type, int length) {
        buf.setShort(at, (short) (4 + length));
        buf.setShort(at + 2, type);
        return at + 4 + Netlink.align(length);
    }

    /** Sends the request and receives one reply of {@code type}; returns its length, or -1. */
    private static int exchange(int sock, Memory buf, int length, short type) {
        long address = Pointer.nativeValue(buf);
        if (LibC.send(sock, address, length, 0) != length) {
            return -1;
        }
        long n = LibC.recv(sock, address, BUFFER_SIZE, 0);
        if (n < Netlink.NLMSG_HDRLEN || buf.getShort(4) == NLMSG_ERROR || buf.getShort(4) != type) {
            return -1;
        }
        return (int) Math.min(n, buf.getInt(0));
    }

    /** The offset of attribute {@code type}'s payload among those from {@code from} to {@code end}, or -1. */
    private static int find(Memory buf, int from, int end, short type) {
        int at = from;
        while (at + 4 <= end) {
            int length = buf.getShort(at) & 0xFFFF;
            if (length < 4) {
                return -1;
            }
            if ((buf.getShort(at + 2) & 0x3FFF) == type) {
                return at + 4;
            }
            at += Netlink.align(length);
        }
        return -1;
    }

}

package io.switchd.sys;

import com.sun.jna.Memory;

/** Opens the rtnetlink socket that reports every link change in our network namespace. */
public final class Netlink {
    private static final int AF_NETLINK = 16;
    private static final int NETLINK_ROUTE = 0;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int RTMGRP_LINK = 1;
    /** Room for the notifications of a burst of link changes (a few hundred bytes each). */
    private static final int BUFFER_BYTES = 1 << 20;
    /** sizeof(struct sockaddr_nl). */
    private static final int SOCKADDR_NL = 12;

    /** struct nlmsghdr: length (u32), type (u16), flags (u16), sequence (u32), port id (u32). */
    public static final int NLMSG_HDRLEN = 16;
    /** Message type: end of a multipart message. */
    public static final int NLMSG_DONE = 3;
    /** Message type: a link appeared or changed. */
    public static final int RTM_NEWLINK = 16;
    /** Message type: a link was deleted (or left the namespace). */
    public static final int RTM_DELLINK = 17;
    /** sizeof(struct ifinfomsg): family, pad, type (u16), index (s32), flags (u32), change (u32). */
    public static final int IFINFOMSG_LEN = 16;
    /** Offset of ifi_index in struct ifinfomsg. */
    public static final int IFI_INDEX = 4;
    /** struct rtattr: length (u16), type (u16). */
    public static final int RTA_HDRLEN = 4;
    /** Attribute: the interface name, NUL-terminated. */
    public static final int IFLA_IFNAME = 3;

    private Netlink() {}

    /** A non-blocking NETLINK_ROUTE socket subscribed to the link group. */
    public static int openLinkMonitor() throws SysException {
        int fd = Errno.check(LibC.socket(AF_NETLINK, PacketSockets.SOCK_RAW | PacketSockets.SOCK_NONBLOCK | PacketSockets.SOCK_CLOEXEC,
                NETLINK_ROUTE),
                "socket(AF_NETLINK)");
        try {
            PacketSockets.setInt(fd, PacketSockets.SOL_SOCKET, SO_RCVBUFFORCE, BUFFER_BYTES, "SO_RCVBUFFORCE (netlink)");
            Memory addr = new Memory(SOCKADDR_NL);
            addr.clear();
            addr.setShort(0, (short) AF_NETLINK);
            addr.setInt(8, RTMGRP_LINK);
            Errno.check(LibC.bind(fd, addr, SOCKADDR_NL), "bind(AF_NETLINK, RTMGRP_LINK)");
            return fd;
        } catch (SysException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** A blocking NETLINK_ROUTE socket for requests and their answers; -1 when it cannot be had. */
    public static int openRequests() {
        return LibC.socket(AF_NETLINK, PacketSockets.SOCK_RAW | PacketSockets.SOCK_CLOEXEC, NETLINK_ROUTE);
    }

    /** Rounds a length up to netlink's 4-byte alignment. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}

package io.switchd.sys;

import com.sun.jna.Memory;

/** Looks up and sets up network interfaces through the classic SIOC* ioctls on a datagram socket. */
public final class Interfaces {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCGIFMTU = 0x8921;
    private static final short IFF_UP = 0x1;
    private static final short IFF_RUNNING = 0x40;
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GLINK = 0x0a;
    /** ETHTOOL_GSET: the legacy struct ethtool_cmd, which every driver still answers through the kernel's conversion. */
    private static final int ETHTOOL_GSET = 0x01;
    private static final int ETHTOOL_CMD_SIZE = 44;
    private static final long SIOCGIFHWADDR = 0x8927;
    /** sizeof(struct ifreq). */
    static final int IFREQ_SIZE = 40;
    /** IFNAMSIZ, including the terminating NUL. */
    public static final int IFNAMSIZ = 16;

    private Interfaces() {}

    /** The interface's index, or 0 when there is no interface of that name in our namespace. */
    public static int index(String name) {
        return LibC.if_nametoindex(name);
    }

    /** Whether an interface of that name exists in our namespace. */
    public static boolean exists(String name) {
        return index(name) != 0;
    }

    /** The name of the interface with index {@code index}, or null when there is none in our namespace. */
    public static String name(int index) {
        byte[] buf = new byte[IFNAMSIZ];
        if (index <= 0 || LibC.if_indextoname(index, buf) == null) {
            return null;
        }
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Whether the interface is up with its carrier on (IFF_UP and LOWER_UP, as the kernel bridge
     * judges its ports); null when there is no interface of that name in our namespace. The carrier
     * comes from ETHTOOL_GLINK, which is current at once: IFF_RUNNING follows the operational state,
     * which the kernel's linkwatch may update up to a second later.
     */
    public static Boolean operational(String name) {
        try {
            return withIfreq(name, (fd, ifr) -> {
                Errno.check(LibC.ioctl(fd, SIOCGIFFLAGS, ifr), "SIOCGIFFLAGS " + name);
                short flags = ifr.getShort(IFNAMSIZ);
                if ((flags & IFF_UP) == 0) {
                    return 0;
                }
                Memory value = new Memory(8);
                value.setInt(0, ETHTOOL_GLINK);
                value.setInt(4, 0);
                ifr.setPointer(IFNAMSIZ, value);
                if (LibC.ioctl(fd, SIOCETHTOOL, ifr) < 0) {
                    return (flags & IFF_RUNNING) != 0 ? 1 : 0; // no ethtool link report: trust the flags
                }
                return value.getInt(4) != 0 ? 1 : 0;
            }) == 1;
        } catch (SysException e) {
            return null;
        }
    }

    /** Sets the interface administratively up, as {@code ip link set NAME up} does. */
    public static void setUp(String name) throws SysException {
        withIfreq(name, (fd, ifr) -> {
            Errno.check(LibC.ioctl(fd, SIOCGIFFLAGS, ifr), "SIOCGIFFLAGS " + name);
            short flags = ifr.getShort(IFNAMSIZ);
            if ((flags & IFF_UP) == 0) {
                ifr.setShort(IFNAMSIZ, (short) (flags | IFF_UP));
                Errno.check(LibC.ioctl(fd, SIOCSIFFLAGS, ifr), "SIOCSIFFLAGS " + name);
            }
            return 0;
        });
    }

    /** The interface's MTU. */
    public static int mtu(String name) throws SysException {
        return withIfreq(name, (fd, ifr) -> {
            Errno.check(LibC.ioctl(fd, SIOCGIFMTU, ifr), "SIOCGIFMTU " + name);
            return ifr.getInt(IFNAMSIZ);
        });
    }

    /**
     * The interface's speed in Mb/s and whether it is full duplex, as ethtool reports them (a veth
     * says 10,000 Mb/s, a TAP 10 Mb/s, both full duplex); {@link LinkSpeed#UNKNOWN} when the
     * interface is not in our namespace or its driver does not say.
     */
    public static LinkSpeed speed(String name) {
        try {
            long[] out = new long[2];
            withIfreq(name, (fd, ifr) -> {
                Memory cmd = new Memory(ETHTOOL_CMD_SIZE);
                cmd.clear();
                cmd.setInt(0, ETHTOOL_GSET);
                ifr.setPointer(IFNAMSIZ, cmd);
                Errno.check(LibC.ioctl(fd, SIOCETHTOOL, ifr), "ETHTOOL_GSET " + name);
                // struct ethtool_cmd: speed (u16) at 12, duplex (u8) at 14, speed_hi (u16) at 28
                out[0] = (cmd.getShort(12) & 0xFFFFL) | (cmd.getShort(28) & 0xFFFFL) << 16;
                out[1] = cmd.getByte(14) & 0xFF;
                return 0;
            });
            long mbps = out[0] == 0xFFFF_FFFFL || out[0] == 0xFFFFL ? -1 : out[0];
            Boolean full = out[1] == 1 ? Boolean.TRUE : out[1] == 0 ? Boolean.FALSE : null;
            return new LinkSpeed(mbps, full);
        } catch (SysException | IllegalArgumentException e) {
            return LinkSpeed.UNKNOWN;
        }
    }

    /** The interface's MAC address as the low 48 bits of a long, or -1 when it is not in our namespace. */
    public static long macAddress(String name) {
        try {
            long[] out = new long[1];
            withIfreq(name, (fd, ifr) -> {
                Errno.check(LibC.ioctl(fd, SIOCGIFHWADDR, ifr), "SIOCGIFHWADDR " + name);
                long mac = 0;
                // ifr_hwaddr is a struct sockaddr after the name: sa_family (u16), then the address
                for (int i = 0; i < 6; i++) {
                    mac = mac << 8 | (ifr.getByte(IFNAMSIZ + 2 + i) & 0xFF);
                }
                out[0] = mac;
                return 0;
            });
            return out[0];
        } catch (SysException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** A zeroed struct ifreq holding the interface name. */
    static Memory ifreq(String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (bytes.length >= IFNAMSIZ || bytes.length == 0) {
            throw new IllegalArgumentException("interface name must be 1 to 15 characters: " + name);
        }
        Memory ifr = new Memory(IFREQ_SIZE);
        ifr.clear();
        ifr.write(0, bytes, 0, bytes.length);
        return ifr;
    }

    private interface IfreqCall {
        int apply(int fd, Memory ifr) throws SysException;
    }

    private static int withIfreq(String name, IfreqCall call) throws SysException {
        Memory ifr = ifreq(name);
        int fd = Errno.check(LibC.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket(AF_INET)");
        try {
            return call.apply(fd, ifr);
        } finally {
            LibC.close(fd);
        }
    }
}

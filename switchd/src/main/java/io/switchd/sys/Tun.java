package io.switchd.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** Opens TAP interfaces through /dev/net/tun with the virtio-net header that carries offloads. */
public final class Tun {
    private static final String DEVICE = "/dev/net/tun";
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNGETIFF = 0x800454d2L;
    private static final long TUNGETDEVNETNS = 0x54e3L;
    private static final long TUNSETPERSIST = 0x400454cbL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_MULTI_QUEUE = 0x0100;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int TUN_F_TSO6 = 0x04;
    private static final int TUN_F_TSO_ECN = 0x08;

    private Tun() {}

    /** Clears TUNSETPERSIST, so that closing the descriptor removes the interface. */
    public static void unpersist(int fd) {
        LibC.ioctl(fd, TUNSETPERSIST, 0L);
    }

    /**
     * The current name of the TAP interface behind {@code fd}, in whatever namespace it now is; null
     * once the interface has been deleted (EBADFD).
     */
    public static String name(int fd) {
        Memory ifr = new Memory(Interfaces.IFREQ_SIZE);
        ifr.clear();
        if (LibC.ioctl(fd, TUNGETIFF, ifr) < 0) {
            return null;
        }
        return ifr.getString(0, "US-ASCII");
    }

    /**
     * The TAP interface's tx_dropped: frames the kernel could not queue to {@code fd} (its queue was
     * full) and dropped. Read wherever the interface now is, in our namespace or one it was moved
     * to; {@link LinkCounters#UNKNOWN} when that namespace is out of our sight or the interface is gone.
     */
    public static long txDropped(int fd) {
        String name = name(fd);
        if (name == null) {
            return LinkCounters.UNKNOWN;
        }
        int nsfd = LibC.ioctl(fd, TUNGETDEVNETNS, 0L);
        if (nsfd < 0) {
            return LinkCounters.UNKNOWN;
        }
        try {
            return LinkCounters.txDropped(name, nsfd);
        } finally {
            LibC.close(nsfd);
        }
    }

    /** The device's mode and owner ("rw------- root:root"), or that switchd cannot see them. */
    private static String describeDevice() {
        try {
            PosixFileAttributes a = Files.readAttributes(Path.of(DEVICE), PosixFileAttributes.class);
            return PosixFilePermissions.toString(a.permissions()) + " " + a.owner().getName() + ":"
                    + a.group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "not readable by switchd's user";
        }
    }

    /**
     * Opens the TAP interface {@code name}, creating it when it does not exist, and returns the
     * non-blocking descriptor. Without persistence, closing the descriptor destroys an interface
     * that this call created.
     */
    public static int open(String name, boolean persist) throws SysException {
        int fd = LibC.open(DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EACCES) {
                // The unit's capabilities do not open a device its mode keeps out; Debian's udev makes it 0666.
                throw SysException.of("open " + DEVICE, errno, "; it is " + describeDevice()
                        + " and switchd runs as user " + System.getProperty("user.name")
                        + ": make it 0666 as Debian's udev does (chmod 0666 " + DEVICE + ")");
            }
            throw SysException.of("open " + DEVICE, errno);
        }
        try {
            Memory ifr = Interfaces.ifreq(name);
            short flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
            ifr.setShort(Interfaces.IFNAMSIZ, flags);
            if (LibC.ioctl(fd, TUNSETIFF, ifr) < 0) {
                int errno = Native.getLastError();
                if (errno != Errno.EINVAL || !Interfaces.exists(name)) {
                    throw SysException.of("TUNSETIFF " + name, errno);
                }
                // An existing TAP made multi-queue (ip tuntap ... multi_queue) refuses a single-queue
                // open with EINVAL; one of its queues carries all of its frames just as well.
                ifr.setShort(Interfaces.IFNAMSIZ, (short) (flags | IFF_MULTI_QUEUE));
                Errno.check(LibC.ioctl(fd, TUNSETIFF, ifr), "TUNSETIFF " + name);
            }
            Memory size = new Memory(4);
            size.setInt(0, VirtioNetHeader.SIZE);
            Errno.check(LibC.ioctl(fd, TUNSETVNETHDRSZ, size), "TUNSETVNETHDRSZ " + name);
            Errno.check(LibC.ioctl(fd, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)),
                    "TUNSETOFFLOAD " + name);
            if (persist) {
                Errno.check(LibC.ioctl(fd, TUNSETPERSIST, 1L), "TUNSETPERSIST " + name);
            }
            return fd;
        } catch (SysException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }
}

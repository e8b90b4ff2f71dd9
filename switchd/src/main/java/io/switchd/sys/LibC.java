package io.switchd.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Direct-mapped libc calls. Pointers are passed as {@code long} addresses so that a call allocates
 * nothing on the Java heap; errors come back as -1 with {@link Native#getLastError()} holding errno.
 */
public final class LibC {
    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {}

    /** open(2). */
    public static native int open(String path, int flags);

    /** close(2). */
    public static native int close(int fd);

    /** ioctl(2) whose argument is a pointer. */
    public static native int ioctl(int fd, long request, Pointer arg);

    /** ioctl(2) whose argument is passed by value (TUNSETOFFLOAD, TUNSETPERSIST). */
    public static native int ioctl(int fd, long request, long arg);

    /** socket(2). */
    public static native int socket(int domain, int type, int protocol);

    /** setsockopt(2). */
    public static native int setsockopt(int fd, int level, int name, Pointer value, int length);

    /** getsockopt(2). */
    public static native int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    /** bind(2). */
    public static native int bind(int fd, Pointer address, int length);

    /** recvmsg(2) on a message header at a native address. */
    public static native long recvmsg(int fd, long msghdr, int flags);

    /** sendmsg(2) of a message header at a native address (control data such as SCM_RIGHTS included). */
    public static native long sendmsg(int fd, long msghdr, int flags);

    /**
     * accept4(2) with {@code address} and {@code addressLength} native addresses, or 0 for both
     * when the peer's address is of no interest: the new descriptor, or -1.
     */
    public static native int accept4(int fd, long address, long addressLength, int flags);

    /**
     * recvmmsg(2) into a vector of message headers at a native address, {@code timeout} a struct
     * timespec's address or 0: how many messages came, or -1.
     */
    public static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);

    /** sendto(2), for sd_notify datagrams. */
    public static native long sendto(int fd, Pointer buffer, long length, int flags, Pointer address, int addressLength);

    /** sendmmsg(2) of a vector of message headers at a native address: how many went, or -1. */
    public static native int sendmmsg(int fd, long msgvec, int vlen, int flags);

    /** send(2) from a native address. */
    public static native long send(int fd, long buffer, long length, int flags);

    /** recv(2) into a native address. */
    public static native long recv(int fd, long buffer, long length, int flags);

    /** read(2) into native memory: an eventfd's counter. */
    public static native long read(int fd, long buffer, long length);

    /** write(2) from native memory: an eventfd's signal. */
    public static native long write(int fd, long buffer, long length);

    /** mmap(2); returns the address, or -1 (MAP_FAILED). */
    public static native long mmap(long address, long length, int prot, int flags, int fd, long offset);

    /** munmap(2). */
    public static native int munmap(long address, long length);

    /**
     * fstatfs(2) into a struct statfs at a native address (120 bytes on 64-bit Linux; f_bsize, the
     * size mappings of the file must be aligned to, e.g. a huge page, is the 64-bit word at 8).
     */
    public static native int fstatfs(int fd, long statfs);

    /** if_nametoindex(3): 0 when there is no such interface. */
    public static native int if_nametoindex(String name);

    /** if_indextoname(3) into {@code name} (IFNAMSIZ bytes); null when there is no such interface. */
    public static native Pointer if_indextoname(int index, byte[] name);

    /** setns(2), used by tests to open sockets inside a network namespace. */
    public static native int setns(int fd, int nstype);

    /** strerror(3). */
    public static native String strerror(int errno);
}

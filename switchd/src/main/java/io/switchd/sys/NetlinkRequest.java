package io.switchd.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;

/**
 * One rtnetlink request that changes something (a link, a forwarding entry) and asks the kernel to
 * acknowledge it, built in direct memory and sent on a fresh request socket. A refusal comes back
 * as a SysException with the kernel's errno and what was asked.
 *
 * <pre>
 *  request:  [nlmsghdr 16][family header: ifinfomsg 16 or ndmsg 12][attributes, each aligned to 4]
 *  nlmsghdr: length u32 | type u16 | flags u16 | sequence u32 | port id u32
 *  rtattr:   length u16 | type u16 | payload (nested attributes for IFLA_LINKINFO, IFLA_INFO_DATA)
 *  reply:    [nlmsghdr type NLMSG_ERROR][error s32: 0 or -errno][the request's nlmsghdr]
 * </pre>
 */
public final class NetlinkRequest {
    private static final int BUFFER_SIZE = 4096;
    /** A dump's answer comes in messages of up to a page or so each; the kernel fills one read to at most this. */
    private static final int DUMP_BUFFER_SIZE = 32 * 1024;
    private static final int NLMSG_ERROR = 2;
    /** Flag: a request (to the kernel). */
    public static final int NLM_F_REQUEST = 0x1;
    /** Flag: answer with an acknowledgement (NLMSG_ERROR with error 0) on success. */
    public static final int NLM_F_ACK = 0x4;
    /** Flag: fail if the object exists. */
    public static final int NLM_F_EXCL = 0x200;
    /** Flag: create the object if it does not exist. */
    public static final int NLM_F_CREATE = 0x400;
    /** Flag: add to the end of the object's list (an FDB entry to a destination list). */
    public static final int NLM_F_APPEND = 0x800;
    /** Flag: a dump (NLM_F_ROOT | NLM_F_MATCH): every object, answered in as many messages as it takes. */
    public static final int NLM_F_DUMP = 0x300;
    /** Attribute type flag: the attribute holds attributes. */
    private static final int NLA_F_NESTED = 0x8000;

    private final Memory buf = new Memory(BUFFER_SIZE);
    private final String what;
    private int at;
    private int nestedAt = -1;
    private int outerAt = -1;

    /**
     * A request of {@code type} with {@code flags} (NLM_F_REQUEST and NLM_F_ACK are added) and a
     * zeroed family header of {@code familyHeaderLength} bytes; {@code what} names it in errors.
     */
    public NetlinkRequest(int type, int flags, int familyHeaderLength, String what) {
        this.what = what;
        buf.clear();
        buf.setShort(4, (short) type);
        buf.setShort(6, (short) (flags | NLM_F_REQUEST | NLM_F_ACK));
        buf.setInt(8, 1);
        at = Netlink.NLMSG_HDRLEN + familyHeaderLength;
    }

    /** The byte at {@code offset} of the family header. */
    public NetlinkRequest headerByte(int offset, int value) {
        buf.setByte(Netlink.NLMSG_HDRLEN + offset, (byte) value);
        return this;
    }

    /** The 16-bit field at {@code offset} of the family header (host order). */
    public NetlinkRequest headerShort(int offset, int value) {
        buf.setShort(Netlink.NLMSG_HDRLEN + offset, (short) value);
        return this;
    }

    /** The 32-bit field at {@code offset} of the family header (host order). */
    public NetlinkRequest headerInt(int offset, int value) {
        buf.setInt(Netlink.NLMSG_HDRLEN + offset, value);
        return this;
    }

    private int attribute(int type, int length) {
        buf.setShort(at, (short) (Netlink.RTA_HDRLEN + length));
        buf.setShort(at + 2, (short) type);
        int payload = at + Netlink.RTA_HDRLEN;
        at = payload + Netlink.align(length);
        return payload;
    }

    /** A NUL-terminated string attribute. */
    public NetlinkRequest string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        int payload = attribute(type, b.length + 1);
        buf.write(payload, b, 0, b.length);
        buf.setByte(payload + b.length, (byte) 0);
        return this;
    }

    /** A u8 attribute. */
    public NetlinkRequest u8(int type, int value) {
        buf.setByte(attribute(type, 1), (byte) value);
        return this;
    }

    /** A u32 attribute in host order. */
    public NetlinkRequest u32(int type, int value) {
        buf.setInt(attribute(type, 4), value);
        return this;
    }

    /** A u16 attribute in network byte order (a UDP port). */
    public NetlinkRequest be16(int type, int value) {
        int payload = attribute(type, 2);
        buf.setByte(payload, (byte) (value >>> 8));
        buf.setByte(payload + 1, (byte) value);
        return this;
    }

    /** An attribute of raw bytes (an address, as the kernel keeps it: network order). */
    public NetlinkRequest bytes(int type, byte[] value) {
        buf.write(attribute(type, value.length), value, 0, value.length);
        return this;
    }

    /** Opens a nested attribute (two levels at most: IFLA_LINKINFO, then IFLA_INFO_DATA). */
    public NetlinkRequest nest(int type) {
        int start = at;
        attribute(type | NLA_F_NESTED, 0);
        if (nestedAt < 0) {
            nestedAt = start;
        } else {
            outerAt = nestedAt;
            nestedAt = start;
        }
        return this;
    }

    /** Closes the innermost nested attribute: its length covers what was added since it opened. */
    public NetlinkRequest end() {
        buf.setShort(nestedAt, (short) (at - nestedAt));
        nestedAt = outerAt;
        outerAt = -1;
        return this;
    }

    /** Sends the request and waits for the kernel's acknowledgement; a SysException if it refuses. */
    public void send() throws SysException {
        buf.setInt(0, at);
        int sock = Netlink.openRequests();
        if (sock < 0) {
            throw SysException.of("socket(AF_NETLINK) for " + what, com.sun.jna.Native.getLastError());
        }
        try {
            long address = Pointer.nativeValue(buf);
            if (LibC.send(sock, address, at, 0) != at) {
                throw SysException.of(what + " (sending the request)", com.sun.jna.Native.getLastError());
            }
            long n = LibC.recv(sock, address, BUFFER_SIZE, 0);
            if (n < 0) {
                throw SysException.of(what + " (reading the answer)", com.sun.jna.Native.getLastError());
            }
            if (n < Netlink.NLMSG_HDRLEN + 4 || buf.getShort(4) != NLMSG_ERROR) {
                throw new SysException(what + ": the kernel gave no acknowledgement", Errno.EINVAL);
            }
            int error = buf.getInt(Netlink.NLMSG_HDRLEN);
            if (error < 0) {
                throw SysException.of(what, -error);
            }
        } finally {
            LibC.close(sock);
        }
    }

    /** What a dump hands each message of its answer to: the message lies in {@code buf} from {@code at}, {@code length} bytes. */
    @FunctionalInterface
    public interface MessageVisitor {
        /** One message of type {@code type} (its nlmsghdr first). */
        void message(Memory buf, int at, int length, int type);
    }

    /**
     * Sends the request as a dump (NLM_F_DUMP, no acknowledgement) and hands every message of the
     * answer to {@code visitor}, until the kernel's NLMSG_DONE; a SysException if it refuses.
     */
    public void dump(MessageVisitor visitor) throws SysException {
        buf.setInt(0, at);
        buf.setShort(6, (short) ((buf.getShort(6) & ~NLM_F_ACK) | NLM_F_DUMP));
        int sock = Netlink.openRequests();
        if (sock < 0) {
            throw SysException.of("socket(AF_NETLINK) for " + what, com.sun.jna.Native.getLastError());
        }
        try {
            long address = Pointer.nativeValue(buf);
            if (LibC.send(sock, address, at, 0) != at) {
                throw SysException.of(what + " (sending the request)", com.sun.jna.Native.getLastError());
            }
            Memory answer = new Memory(DUMP_BUFFER_SIZE);
            long answerAddress = Pointer.nativeValue(answer);
            while (true) {
                long n = LibC.recv(sock, answerAddress, DUMP_BUFFER_SIZE, 0);
                if (n < 0) {
                    throw SysException.of(what + " (reading the answer)", com.sun.jna.Native.getLastError());
                }
                int m = 0;
                while (m + Netlink.NLMSG_HDRLEN <= n) {
                    int length = answer.getInt(m);
                    int type = answer.getShort(m + 4) & 0xFFFF;
                    if (length < Netlink.NLMSG_HDRLEN || m + length > n) {
                        throw new SysException(what + ": a malformed answer", Errno.EINVAL);
                    }
                    if (type == Netlink.NLMSG_DONE) {
                        return;
                    }
                    if (type == NLMSG_ERROR) {
                        int error = answer.getInt(m + Netlink.NLMSG_HDRLEN);
                        if (error < 0) {
                            throw SysException.of(what, -error);
                        }
                    } else {
                        visitor.message(answer, m, length, type);
                    }
                    m += Netlink.align(length);
                }
                if (n == 0) {
                    throw new SysException(what + ": the answer ended without NLMSG_DONE", Errno.EINVAL);
                }
            }
        } finally {
            LibC.close(sock);
        }
    }
}

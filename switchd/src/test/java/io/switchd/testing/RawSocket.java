package io.switchd.testing;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.LibC;
import io.switchd.sys.PacketSockets;
import io.switchd.sys.SysException;

import java.util.Arrays;

/** A plain AF_PACKET socket on one interface, opened inside a namespace, to send and capture test frames. */
public final class RawSocket implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private final int fd;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SO_RCVTIMEO = 20;
    private static final int TP_STATUS_VLAN_VALID = 1 << 4;
    private static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    private final Object receiveLock = new Object();
    private final Memory buffer = new Memory(70_000);
    private final Memory msghdr = new Memory(56);
    private final Memory iov = new Memory(16);
    private final Memory control = new Memory(64);

    private RawSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a socket on {@code ifname} in {@code ns} that sees the test frames ({@link Frames#TEST_TYPE})
     * the interface receives; a socket filter keeps other traffic (pings, TCP) from filling its buffer.
     */
    public static RawSocket open(Netns ns, String ifname) {
        return open(ns, ifname, Frames.TEST_TYPE);
    }

    /**
     * Opens a socket on {@code ifname} in {@code ns} that sees the test frames and IPv4 frames the
     * interface receives, for tests that send IPv4 frames of their own (between hosts that have no
     * IPv4 address, so nothing else of the kind comes).
     */
    public static RawSocket openForTestAndIpv4Frames(Netns ns, String ifname) {
        return open(ns, ifname, 0x0800);
    }

    private static RawSocket open(Netns ns, String ifname, int alsoType) {
        int fd = ns.inside(() -> {
            int ifindex = Interfaces.index(ifname);
            if (ifindex == 0) {
                throw new SysException("no interface " + ifname + " in " + ns.name(), Errno.ENODEV);
            }
            int s = Errno.check(LibC.socket(PacketSockets.AF_PACKET, PacketSockets.SOCK_RAW | PacketSockets.SOCK_CLOEXEC, 0),
                    "socket");
            PacketSockets.setInt(s, PacketSockets.SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            PacketSockets.setInt(s, PacketSockets.SOL_PACKET, PacketSockets.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
            // ETH_P_ALL: only those sockets get an untagged frame's VLAN tag in the aux data.
            attachTestTypeFilter(s, alsoType);
            PacketSockets.setInt(s, PacketSockets.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20, "SO_RCVBUFFORCE");
            Memory timeout = new Memory(16); // struct timeval: a blocking read returns every 100 ms
            timeout.setLong(0, 0);
            timeout.setLong(8, 100_000);
            Errno.check(LibC.setsockopt(s, PacketSockets.SOL_SOCKET, SO_RCVTIMEO, timeout, 16), "SO_RCVTIMEO");
            PacketSockets.bind(s, ifindex, PacketSockets.ETH_P_ALL, ifname);
            return s;
        });
        return new RawSocket(fd);
    }

    /**
     * Classic BPF: accept a frame whose EtherType (the kernel has taken any tag off) is the test type
     * or {@code alsoType}.
     */
    private static void attachTestTypeFilter(int fd, int alsoType) throws io.switchd.sys.SysException {
        Memory program = new Memory(5 * 8);
        int[][] insns = {
            {0x28, 0, 0, 12},               // ldh [12]
            {0x15, 1, 0, Frames.TEST_TYPE}, // jeq #TEST_TYPE, accept, next
            {0x15, 0, 1, alsoType},         // jeq #alsoType, accept, drop
            {0x06, 0, 0, 0x40000},          // ret #262144
            {0x06, 0, 0, 0},                // ret #0
        };
        for (int i = 0; i < insns.length; i++) {
            program.setShort(i * 8, (short) insns[i][0]);
            program.setByte(i * 8 + 2, (byte) insns[i][1]);
            program.setByte(i * 8 + 3, (byte) insns[i][2]);
            program.setInt(i * 8 + 4, insns[i][3]);
        }
        Memory fprog = new Memory(16);
        fprog.clear();
        fprog.setShort(0, (short) insns.length);
        fprog.setLong(8, address(program));
        Errno.check(LibC.setsockopt(fd, PacketSockets.SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16), "SO_ATTACH_FILTER");
    }

    /** Sends one frame; fails the test if the kernel refuses it. Safe beside a thread that receives. */
    public void send(byte[] frame) {
        Memory m = new Memory(frame.length);
        m.write(0, frame, 0, frame.length);
        long n = LibC.send(fd, address(m), frame.length, 0);
        if (n != frame.length) {
            throw new IllegalStateException("send failed: " + Errno.describe(Native.getLastError()));
        }
    }

    /**
     * Sends {@code frames} back to back with one sendmmsg, as a burst arrives from a busy host;
     * fails the test if the kernel refuses any.
     */
    public void sendBurst(byte[][] frames) {
        int n = frames.length;
        int stride = 64;
        for (byte[] f : frames) {
            stride = Math.max(stride, f.length);
        }
        Memory data = new Memory((long) n * stride);
        Memory iovecs = new Memory((long) n * 16);
        Memory headers = new Memory((long) n * 64); // struct mmsghdr, padded to 64 bytes
        headers.clear();
        for (int i = 0; i < n; i++) {
            data.write((long) i * stride, frames[i], 0, frames[i].length);
            iovecs.setLong(i * 16L, address(data) + (long) i * stride);
            iovecs.setLong(i * 16L + 8, frames[i].length);
            headers.setLong(i * 64L + 16, address(iovecs) + i * 16L);
            headers.setLong(i * 64L + 24, 1);
        }
        int sent = 0;
        while (sent < n) {
            int r = LibC.sendmmsg(fd, address(headers) + sent * 64L, n - sent, 0);
            if (r <= 0) {
                throw new IllegalStateException("sendmmsg failed: " + Errno.describe(Native.getLastError()));
            }
            sent += r;
        }
    }

    private static long address(Memory m) {
        return com.sun.jna.Pointer.nativeValue(m);
    }

    /**
     * The next received frame as it was on the wire, waiting up to 100 ms for one; null when none
     * came. The kernel strips an 802.1Q tag on receive and reports it in PACKET_AUXDATA, so it is
     * put back inline.
     */
    public byte[] take() {
        return receive(0);
    }

    private byte[] receive(int flags) {
        synchronized (receiveLock) {
            return receiveLocked(flags);
        }
    }

    private byte[] receiveLocked(int flags) {
        msghdr.clear();
        msghdr.setLong(16, address(iov));
        msghdr.setLong(24, 1);
        msghdr.setLong(32, address(control));
        msghdr.setLong(40, control.size());
        iov.setLong(0, address(buffer));
        iov.setLong(8, buffer.size());
        long n = LibC.recvmsg(fd, address(msghdr), flags);
        if (n < 0) {
            return null;
        }
        byte[] frame = buffer.getByteArray(0, (int) n);
        long controlLength = msghdr.getLong(40);
        if (controlLength >= 36 && control.getInt(8) == PacketSockets.SOL_PACKET
                && control.getInt(12) == PacketSockets.PACKET_AUXDATA && (control.getInt(16) & TP_STATUS_VLAN_VALID) != 0) {
            int tci = control.getShort(16 + 16) & 0xFFFF;
            int tpid = (control.getInt(16) & TP_STATUS_VLAN_TPID_VALID) != 0 ? control.getShort(16 + 18) & 0xFFFF : 0x8100;
            byte[] tagged = new byte[frame.length + 4];
            System.arraycopy(frame, 0, tagged, 0, 12);
            tagged[12] = (byte) (tpid >> 8);
            tagged[13] = (byte) tpid;
            tagged[14] = (byte) (tci >> 8);
            tagged[15] = (byte) tci;
            System.arraycopy(frame, 12, tagged, 16, frame.length - 12);
            return tagged;
        }
        return frame;
    }

    /** PACKET_STATISTICS: frames the socket received and dropped since the last call. */
    public String stats() {
        Memory m = new Memory(8);
        Memory len = new Memory(4);
        len.setInt(0, 8);
        int r = io.switchd.sys.LibC.getsockopt(fd, PacketSockets.SOL_PACKET, 6, m, len);
        return r < 0 ? "?" : "packets " + m.getInt(0) + " drops " + m.getInt(4);
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}

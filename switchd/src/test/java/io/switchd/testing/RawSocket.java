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
    private final Memory buffer = new Memory(70_000);

    private RawSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a socket on {@code ifname} in {@code ns} that sees the test frames ({@link Frames#TEST_TYPE})
     * the interface receives; other traffic (pings, TCP) does not fill its buffer.
     */
    public static RawSocket open(Netns ns, String ifname) {
        int fd = ns.inside(() -> {
            int ifindex = Interfaces.index(ifname);
            if (ifindex == 0) {
                throw new SysException("no interface " + ifname + " in " + ns.name(), Errno.ENODEV);
            }
            int s = Errno.check(LibC.socket(PacketSockets.AF_PACKET, PacketSockets.SOCK_RAW | PacketSockets.SOCK_CLOEXEC, 0),
                    "socket");
            PacketSockets.setInt(s, PacketSockets.SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            PacketSockets.bind(s, ifindex, Frames.TEST_TYPE, ifname);
            return s;
        });
        return new RawSocket(fd);
    }

    /** Sends one frame; fails the test if the kernel refuses it. */
    public synchronized void send(byte[] frame) {
        Memory m = new Memory(frame.length);
        m.write(0, frame, 0, frame.length);
        long n = LibC.send(fd, address(m), frame.length, 0);
        if (n != frame.length) {
            throw new IllegalStateException("send failed: " + Errno.describe(Native.getLastError()));
        }
    }

    private static long address(Memory m) {
        return com.sun.jna.Pointer.nativeValue(m);
    }

    /** The next received frame, or null when none is waiting. */
    public synchronized byte[] poll() {
        long n = LibC.recv(fd, address(buffer), buffer.size(), MSG_DONTWAIT);
        if (n < 0) {
            return null;
        }
        return Arrays.copyOf(buffer.getByteArray(0, (int) n), (int) n);
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}

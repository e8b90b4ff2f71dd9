package io.switchd.sys;

import com.sun.jna.Memory;

import java.nio.charset.StandardCharsets;

/**
 * systemd's notify protocol: a datagram to $NOTIFY_SOCKET (READY=1, STATUS=..., WATCHDOG=1,
 * STOPPING=1). The JDK cannot open AF_UNIX datagram sockets, hence JNA. Without $NOTIFY_SOCKET
 * (not under systemd) every call does nothing.
 */
public final class SdNotify {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SUN_PATH = 108;

    private SdNotify() {}

    /** Sends {@code state} to the socket at {@code socket} ('@' first for an abstract name). */
    public static boolean send(String socket, String state) {
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH) {
            return false;
        }
        Memory addr = new Memory(2 + SUN_PATH);
        addr.clear();
        addr.setShort(0, (short) AF_UNIX);
        addr.write(2, path, 0, path.length);
        int length = 2 + path.length + 1;
        if (path[0] == '@') {
            addr.setByte(2, (byte) 0); // abstract namespace: no trailing NUL counted
            length = 2 + path.length;
        }
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        Memory buf = new Memory(Math.max(1, message.length));
        buf.write(0, message, 0, message.length);
        int fd = LibC.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        try {
            return LibC.sendto(fd, buf, message.length, MSG_NOSIGNAL, addr, length) == message.length;
        } finally {
            LibC.close(fd);
        }
    }

    /** The watchdog interval systemd asked for, in microseconds, or 0 (WATCHDOG_USEC, for this process). */
    public static long watchdogMicros() {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return 0;
        }
        try {
            return Long.parseLong(usec);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

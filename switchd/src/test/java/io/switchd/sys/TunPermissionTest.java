package io.switchd.sys;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A user who may not open /dev/net/tun is told what to change: the device's mode, not switchd's
 * capabilities (the unit's CAP_NET_ADMIN does not open a 0600 device, and the old message said to
 * grant it). The open runs on a thread of its own whose filesystem uid is an unprivileged one.
 */
class TunPermissionTest {
    private static final int NOBODY = 65534;

    /** setfsuid(2) changes the calling thread's filesystem uid only; from 0 it drops the DAC override too. */
    interface FsUid extends Library {
        FsUid C = Native.load("c", FsUid.class);

        int setfsuid(int uid);
    }

    @Test
    void aDeviceTheUserMayNotOpenIsNamedWithItsModeAndTheFix() throws Exception {
        Netns.assumeAvailable("needs root and /dev/net/tun");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(Path.of("/dev/net/tun"));
        assumeTrue(!mode.contains(PosixFilePermission.OTHERS_READ) || !mode.contains(PosixFilePermission.OTHERS_WRITE),
                "/dev/net/tun is open to every user here (Debian's udev makes it 0666): nothing to refuse");

        // The thread below cannot read this checkout (a fresh clone in a 0700 directory): load and
        // initialise what the failing open touches while it still can.
        for (Class<?> c : new Class<?>[] {Tun.class, LibC.class, Errno.class, SysException.class}) {
            Class.forName(c.getName(), true, c.getClassLoader());
        }
        Errno.describe(Errno.EACCES); // binds strerror

        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            FsUid.C.setfsuid(NOBODY);
            try {
                int fd = Tun.open("swperm" + ProcessHandle.current().pid() % 10000, false);
                LibC.close(fd);
            } catch (Throwable e) {
                thrown.set(e);
            } finally {
                FsUid.C.setfsuid(0);
            }
        }, "unprivileged-open");
        t.start();
        t.join();

        Throwable e = thrown.get();
        assertNotNull(e, "a user without access to /dev/net/tun opened it");
        assertTrue(e instanceof SysException, "not a SysException: " + e);
        assertEquals(Errno.EACCES, ((SysException) e).errno());
        String message = e.getMessage();
        assertTrue(message.contains("open /dev/net/tun: Permission denied"), message);
        assertTrue(message.contains("it is rw-"), "the device's mode is not named: " + message);
        assertTrue(message.contains("chmod 0666 /dev/net/tun"), "the fix is not named: " + message);
    }
}

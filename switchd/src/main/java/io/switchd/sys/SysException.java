package io.switchd.sys;

import java.io.IOException;

/** A failed system call during setup, carrying its errno. */
public final class SysException extends IOException {
    private final int errno;

    public SysException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The exception for {@code call} failing with {@code errno}. */
    public static SysException of(String call, int errno) {
        return of(call, errno, "");
    }

    /** The exception for {@code call} failing with {@code errno}, with what to do about it ("; ..."). */
    public static SysException of(String call, int errno, String remedy) {
        return new SysException(call + ": " + Errno.describe(errno) + " (errno " + errno + ")" + remedy, errno);
    }

    /** The errno the call failed with. */
    public int errno() {
        return errno;
    }
}

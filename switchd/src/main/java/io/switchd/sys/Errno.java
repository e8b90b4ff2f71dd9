package io.switchd.sys;

import com.sun.jna.Native;

/** errno values that the switch reacts to, and turning a failed setup call into an exception. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EPIPE = 32;
    public static final int ECONNRESET = 104;
    public static final int EBUSY = 16;
    public static final int EACCES = 13;
    public static final int EAGAIN = 11;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EBADFD = 77;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;

    private Errno() {}

    /** Throws a {@link SysException} naming the call when {@code result} is negative. */
    public static int check(int result, String call) throws SysException {
        if (result < 0) {
            throw SysException.of(call, Native.getLastError());
        }
        return result;
    }

    /** The message libc gives for an errno value. */
    public static String describe(int errno) {
        return LibC.strerror(errno);
    }
}

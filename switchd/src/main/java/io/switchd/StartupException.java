package io.switchd;

/** A reason the daemon cannot start that the operator can fix, told in one line without a stack trace. */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }
}

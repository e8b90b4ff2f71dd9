package io.switchd.api.client;

/** The daemon answered with an error status; the message is its {@code error} text. */
public final class ApiException extends Exception {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }
}

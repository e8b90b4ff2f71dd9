package io.switchd.control;

/** A control request the daemon refuses, with the HTTP status that says why (4xx) and a message. */
public final class ControlException extends Exception {
    private final int status;

    public ControlException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 400: the request itself is wrong. */
    public static ControlException badRequest(String message) {
        return new ControlException(400, message);
    }

    /** 404: no such bridge, port or entry. */
    public static ControlException notFound(String message) {
        return new ControlException(404, message);
    }

    /** 409: the request conflicts with what exists. */
    public static ControlException conflict(String message) {
        return new ControlException(409, message);
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}

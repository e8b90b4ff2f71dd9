package io.switchd.api;

/** The control API's version prefix and default socket. */
public final class ApiPaths {
    /** The path prefix of every versioned route. */
    public static final String PREFIX = "/v1";
    /** Where the daemon listens unless configured otherwise. */
    public static final String DEFAULT_SOCKET = "/run/switchd/switchd.sock";

    private ApiPaths() {}
}

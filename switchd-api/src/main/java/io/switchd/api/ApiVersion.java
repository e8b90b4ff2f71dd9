package io.switchd.api;

/** The control API version that the daemon serves and its clients speak. */
public final class ApiVersion {
    /** The path prefix of every versioned route. */
    public static final String PREFIX = "/v1";

    private ApiVersion() {}
}

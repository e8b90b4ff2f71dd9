package io.switchd.config;

/**
 * Where the control API listens: a unix socket, mode 0660, owned by {@code group} when that group
 * exists; and how many live captures it runs at once.
 */
public record ControlConfig(String socket, String group, int maxCaptures) {
    /** switchd.control.max-captures when not set. */
    public static final int DEFAULT_MAX_CAPTURES = 4;

    /** The socket and group, with the default number of captures. */
    public ControlConfig(String socket, String group) {
        this(socket, group, DEFAULT_MAX_CAPTURES);
    }
}

package io.switchd.port;

/** Whether a port forwards, and if not, why not. */
public enum PortState {
    /** Attached and forwarding. */
    UP,
    /** Attached but its interface is down or failed. */
    DOWN,
    /** Configured, but its interface does not exist (or vanished). */
    ABSENT,
    /** Taken down by the operator. */
    ADMIN_DOWN;

    /** The lower-case name shown to operators. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

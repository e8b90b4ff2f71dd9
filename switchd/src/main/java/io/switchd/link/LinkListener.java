package io.switchd.link;

/** Told of link changes by the {@link LinkMonitor}; called on the event loop, so it must not block. */
public interface LinkListener {
    /** Interface {@code index}, now (or last) named {@code name}, appeared, changed or went away. */
    void linkChanged(int index, String name);

    /** Notifications were lost (the socket overran): everything must be looked at again. */
    void resync();
}

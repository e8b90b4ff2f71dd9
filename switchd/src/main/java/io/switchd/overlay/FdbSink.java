package io.switchd.overlay;

/** Where the directory's view ends up: a vxlan device's flood and unicast entries (the kernel's, or a test's). */
public interface FdbSink {
    /** Adds {@code address} to the flood list. */
    void flood(String address) throws Exception;

    /** Takes {@code address} off the flood list. */
    void unflood(String address) throws Exception;

    /** Sends frames to {@code mac} to {@code address} only. */
    void unicast(long mac, String address) throws Exception;

    /** Removes {@code mac}'s unicast entry. */
    void removeUnicast(long mac) throws Exception;
}

package io.switchd.vhost;

/** A vhost-user request the device cannot carry out, or one that breaks the protocol; its message says which and why. */
public class VhostProtocolException extends Exception {
    public VhostProtocolException(String message) {
        super(message);
    }
}

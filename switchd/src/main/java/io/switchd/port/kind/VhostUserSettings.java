package io.switchd.port.kind;

import io.switchd.config.PortType;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A vhost-user port's settings: the unix socket over which a VM's frontend (QEMU) and switchd
 * speak vhost-user, and which of the two listens on it.
 */
public record VhostUserSettings(String socket, Mode mode) implements PortKindSettings {
    /** The longest socket path a sockaddr_un holds, less its terminating NUL. */
    public static final int MAX_SOCKET_BYTES = 107;

    /** Who listens on the socket. */
    public enum Mode {
        /** switchd makes the socket and listens; the VM connects (QEMU's {@code server=off}). The default. */
        SERVER,
        /** The VM listens; switchd connects to it (QEMU's {@code server=on}). */
        CLIENT;

        /** The name in configuration and the API. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode named {@code text} (server or client); IllegalArgumentException in the user's words. */
        public static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.configName().equals(text)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("must be server or client, not \"" + text + "\"");
        }
    }

    /** Checks the socket path: IllegalArgumentException in the user's words. */
    public VhostUserSettings {
        if (mode == null) {
            throw new IllegalArgumentException("a vhost-user port needs a mode");
        }
        check(socket);
    }

    /** Whether {@code socket} can name a vhost-user socket; IllegalArgumentException saying why not. */
    public static void check(String socket) {
        if (socket == null || socket.isEmpty()) {
            throw new IllegalArgumentException("a vhost-user port needs a socket (an absolute path)");
        }
        if (!socket.startsWith("/")) {
            throw new IllegalArgumentException("the socket must be an absolute path, not \"" + socket + "\"");
        }
        if (socket.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the socket path may not contain NUL");
        }
        if (socket.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_BYTES) {
            throw new IllegalArgumentException("the socket path is longer than a unix socket's "
                    + MAX_SOCKET_BYTES + " bytes");
        }
    }

    @Override
    public PortType type() {
        return PortType.VHOST_USER;
    }
}

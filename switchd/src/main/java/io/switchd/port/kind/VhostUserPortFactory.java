package io.switchd.port.kind;

import io.switchd.port.Port;
import io.switchd.sys.SysException;

/**
 * Makes the port of a vhost-user port's configuration: the one place where the vhost-user data
 * path plugs into the rest of switchd (see {@link VhostUserKind#factory(VhostUserPortFactory)}).
 */
@FunctionalInterface
public interface VhostUserPortFactory {
    /**
     * The port {@code name} over the socket {@code settings} name, striped {@code stripes} ways; a
     * SysException if it cannot be had now (the port is then absent and the rest of the switch runs).
     */
    Port open(String name, VhostUserSettings settings, int stripes) throws SysException;
}

package io.switchd;

import io.switchd.config.PortConfig;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.port.AbsentPort;
import io.switchd.port.Port;
import io.switchd.port.kind.PortKindSettings;
import io.switchd.sys.Errno;
import io.switchd.sys.SysException;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * Opens a configured port through its kind ({@link io.switchd.port.kind.PortKind#open}), and says
 * what becomes of a port that cannot be opened: at start and on reload it waits, absent (unless
 * switchd lacks the privileges to open any); through the API the request is refused.
 */
final class PortOpener {
    private static final Logger LOG = Logger.getLogger(PortOpener.class.getName());

    private final DataPlane dataPlane;

    PortOpener(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    /** Opens the port as its configuration says; a SysException if its interface cannot be had now. */
    Port open(PortConfig pc) throws SysException {
        PortKindSettings s = pc.kindSettings();
        return s.kind().open(pc.name(), s, dataPlane);
    }

    /**
     * Opens the port, or gives an absent one that waits for its interface while the rest of the
     * switch runs; a StartupException if switchd may not open ports at all.
     */
    Port openOrAbsent(PortConfig pc) {
        try {
            return open(pc);
        } catch (SysException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                // EACCES is a file's mode, which the exception explains; EPERM is a missing capability
                String hint = e.errno() == Errno.EPERM
                        ? "; switchd needs CAP_NET_ADMIN and CAP_NET_RAW (run it as root or under its systemd unit)"
                        : "";
                throw new StartupException("cannot open " + pc.type().configName() + " port " + pc.name() + ": "
                        + e.getMessage() + hint);
            }
            LOG.warning(pc.type().configName() + " port " + pc.name() + " is absent: " + e.getMessage()
                    + "; the rest of the switch runs");
            return new AbsentPort(pc.name(), pc.type(), dataPlane.stripes());
        }
    }

    /** Opens a port the API adds; a conflict saying why if it cannot. */
    Port openForApi(PortConfig pc) throws ControlException {
        try {
            try {
                return open(pc);
            } catch (SysException e) {
                if (e.errno() != Errno.EBUSY || !dataPlane.awaitQuiescence(Duration.ofSeconds(5))) {
                    throw e;
                }
                // A port of that name was just deleted and its TAP descriptor is still being closed
                // (after the loops let go of it): once it is, the name is free.
                return open(pc);
            }
        } catch (SysException e) {
            throw ControlException.conflict("cannot attach " + pc.name() + ": " + e.getMessage());
        }
    }
}

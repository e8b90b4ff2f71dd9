package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.config.ConfigError;
import io.switchd.config.PortBlock;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.port.AbsentPort;
import io.switchd.port.Port;
import io.switchd.sys.SysException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vhost-user ports: a VM's virtio rings, shared over a unix socket with its frontend (QEMU). The
 * configuration, API and switchctl know them; the data path plugs in at {@link #factory}: until
 * it does, such a port stays absent.
 */
public final class VhostUserKind implements PortKind {
    private static final String SOCKET = "socket";
    private static final String MODE = "mode";

    /**
     * VHOST-USER DATA PATH HOOK: makes the port of every vhost-user port (at start, on reload and
     * on {@code port add}; the link follower does not reopen these ports, see {@link #hasInterface},
     * so a port that waits for its VM must do so itself). Until the data path is plugged in here,
     * a vhost-user port is an {@link AbsentPort}: configured, listed and counted, forwarding nothing.
     */
    private static volatile VhostUserPortFactory factory =
            (name, settings, stripes) -> new AbsentPort(name, PortType.VHOST_USER, stripes);

    VhostUserKind() {
    }

    /** Plugs in the vhost-user data path: {@code f} makes every vhost-user port opened from now on. */
    public static void factory(VhostUserPortFactory f) {
        factory = f;
    }

    @Override
    public PortType type() {
        return PortType.VHOST_USER;
    }

    @Override
    public Set<String> configKeys() {
        return Set.of(SOCKET, MODE);
    }

    @Override
    public PortKindSettings read(PortBlock block) throws ConfigError {
        if (!block.ownHas(SOCKET)) {
            throw block.error(SOCKET, block.has(SOCKET)
                    ? "names one port's socket: set it on the port, not in port-defaults"
                    : "a vhost-user port needs socket = \"/path/to/its.sock\"");
        }
        String socket = block.ownString(SOCKET);
        try {
            VhostUserSettings.check(socket);
        } catch (IllegalArgumentException e) {
            throw block.error(SOCKET, e.getMessage());
        }
        VhostUserSettings.Mode mode = VhostUserSettings.Mode.SERVER;
        if (block.has(MODE)) {
            try {
                mode = VhostUserSettings.Mode.parse(block.string(MODE));
            } catch (IllegalArgumentException e) {
                throw block.error(MODE, e.getMessage());
            }
        }
        return new VhostUserSettings(socket, mode);
    }

    @Override
    public ConfigError misplaced(PortBlock block) {
        for (String key : List.of(SOCKET, MODE)) {
            if (block.ownHas(key)) {
                return block.error(key, "only vhost-user ports have a " + key);
            }
        }
        return null;
    }

    @Override
    public void refuseForeign(NewPort req) throws ControlException {
        if (req.socket() != null) {
            throw ControlException.badRequest("only vhost-user ports have a socket");
        }
        if (req.mode() != null) {
            throw ControlException.badRequest("only vhost-user ports have a mode");
        }
    }

    @Override
    public PortKindSettings forAdd(String name, NewPort req) throws ControlException {
        if (req.socket() == null) {
            throw ControlException.badRequest("a vhost-user port needs a socket (an absolute path, such as "
                    + "/run/switchd/" + name + ".sock)");
        }
        try {
            VhostUserSettings.Mode mode = req.mode() == null ? VhostUserSettings.Mode.SERVER
                    : VhostUserSettings.Mode.parse(req.mode());
            return new VhostUserSettings(req.socket(), mode);
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest((req.mode() != null && e.getMessage().startsWith("must") ? "mode " : "")
                    + e.getMessage());
        }
    }

    @Override
    public Port open(String name, PortKindSettings settings, int stripes) throws SysException {
        return factory.open(name, (VhostUserSettings) settings, stripes);
    }

    @Override
    public Shown shown(PortKindSettings settings, Port port) {
        VhostUserSettings s = (VhostUserSettings) settings;
        // the features the frontend and switchd agreed on come with the data path; none until then
        return new Shown(false, s.socket(), s.mode().configName(), List.of());
    }

    @Override
    public Map<String, Object> configValues(PortKindSettings settings) {
        VhostUserSettings s = (VhostUserSettings) settings;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(SOCKET, s.socket());
        out.put(MODE, s.mode().configName());
        return out;
    }

    /** Two ports on one socket would each take the other's VM. */
    @Override
    public Map.Entry<String, String> exclusive(PortKindSettings settings) {
        return Map.entry(SOCKET, ((VhostUserSettings) settings).socket());
    }

    /** Not an interface: an interface of the port's name appearing says nothing about it. */
    @Override
    public boolean hasInterface() {
        return false;
    }
}

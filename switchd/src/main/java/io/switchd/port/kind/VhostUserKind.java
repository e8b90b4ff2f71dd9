package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.config.ConfigError;
import io.switchd.config.PortBlock;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.port.Port;
import io.switchd.sys.SysException;
import io.switchd.vhost.VhostUserPort;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vhost-user ports: a VM's virtio rings, shared over a unix socket with its frontend (QEMU,
 * DPDK's virtio-user); the port itself is {@link VhostUserPort}.
 */
public final class VhostUserKind implements PortKind {
    private static final String SOCKET = "socket";
    private static final String MODE = "mode";

    VhostUserKind() {
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
    public Port open(String name, PortKindSettings settings, DataPlane plane) throws SysException {
        VhostUserSettings s = (VhostUserSettings) settings;
        return VhostUserPort.open(name, Path.of(s.socket()), s.mode() == VhostUserSettings.Mode.SERVER, plane);
    }

    @Override
    public Shown shown(PortKindSettings settings, Port port) {
        VhostUserSettings s = (VhostUserSettings) settings;
        List<String> features = port instanceof VhostUserPort v ? v.featureNames() : List.of();
        return new Shown(false, s.socket(), s.mode().configName(), features);
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

    /** Stops serving the socket and forgets the guest: the port is deleted, or replaced. */
    @Override
    public void deleting(Port port) {
        if (port instanceof VhostUserPort v) {
            v.close();
        }
    }

    /** Stops serving the socket: switchd is stopping. */
    @Override
    public void closed(Port port) {
        deleting(port);
    }

    /** Not an interface: an interface of the port's name appearing says nothing about it. */
    @Override
    public boolean hasInterface() {
        return false;
    }
}

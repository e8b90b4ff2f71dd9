package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.config.ConfigError;
import io.switchd.config.PortBlock;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.port.PacketSocketPort;
import io.switchd.port.Port;
import io.switchd.sys.Interfaces;
import io.switchd.sys.SysException;

import java.util.Map;
import java.util.Set;

/** netdev ports: an existing interface, attached through an AF_PACKET socket. */
public final class NetdevKind implements PortKind {
    NetdevKind() {
    }

    @Override
    public PortType type() {
        return PortType.NETDEV;
    }

    @Override
    public Set<String> configKeys() {
        return Set.of();
    }

    @Override
    public PortKindSettings read(PortBlock block) {
        return NetdevSettings.INSTANCE;
    }

    @Override
    public ConfigError misplaced(PortBlock block) {
        return null;
    }

    @Override
    public void refuseForeign(NewPort req) {
    }

    /** The interface must be there: switchd attaches to it, it does not make it. */
    @Override
    public PortKindSettings forAdd(String name, NewPort req) throws ControlException {
        if (!Interfaces.exists(name)) {
            throw ControlException.conflict("interface " + name + " does not exist");
        }
        return NetdevSettings.INSTANCE;
    }

    @Override
    public Port open(String name, PortKindSettings settings, DataPlane plane) throws SysException {
        return PacketSocketPort.open(name, plane.stripes());
    }

    @Override
    public Shown shown(PortKindSettings settings, Port port) {
        return Shown.NONE;
    }

    @Override
    public Map<String, Object> configValues(PortKindSettings settings) {
        return Map.of();
    }
}

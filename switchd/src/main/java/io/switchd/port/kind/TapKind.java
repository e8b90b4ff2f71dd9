package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.config.ConfigError;
import io.switchd.config.PortBlock;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.port.Port;
import io.switchd.port.TapPort;
import io.switchd.sys.SysException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/** TAP ports: switchd creates (or opens) the TAP interface and holds its descriptor. */
public final class TapKind implements PortKind {
    private static final Logger LOG = Logger.getLogger(TapKind.class.getName());
    private static final String PERSISTENT = "persistent";

    TapKind() {
    }

    @Override
    public PortType type() {
        return PortType.TAP;
    }

    @Override
    public Set<String> configKeys() {
        return Set.of(PERSISTENT);
    }

    @Override
    public PortKindSettings read(PortBlock block) throws ConfigError {
        return new TapSettings(block.has(PERSISTENT) && block.bool(PERSISTENT));
    }

    @Override
    public ConfigError misplaced(PortBlock block) throws ConfigError {
        // persistent = false says nothing; true in port-defaults is meant for the taps among the ports
        if (block.ownHas(PERSISTENT) && block.bool(PERSISTENT)) {
            return block.error(PERSISTENT, "only tap ports can be persistent");
        }
        return null;
    }

    @Override
    public void refuseForeign(NewPort req) throws ControlException {
        if (Boolean.TRUE.equals(req.persistent())) {
            throw ControlException.badRequest("only tap ports can be persistent");
        }
    }

    @Override
    public PortKindSettings forAdd(String name, NewPort req) {
        return new TapSettings(Boolean.TRUE.equals(req.persistent()));
    }

    @Override
    public Port open(String name, PortKindSettings settings, DataPlane plane) throws SysException {
        return TapPort.open(name, ((TapSettings) settings).persistent(), plane.stripes());
    }

    @Override
    public Shown shown(PortKindSettings settings, Port port) {
        return new Shown(((TapSettings) settings).persistent(), null, null, null);
    }

    @Override
    public Map<String, Object> configValues(PortKindSettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (((TapSettings) settings).persistent()) {
            out.put(PERSISTENT, true);
        }
        return out;
    }

    /** "tap" or "tap persistent", as reloads have always reported a TAP's type. */
    @Override
    public String describe(PortKindSettings settings) {
        return configName() + (((TapSettings) settings).persistent() ? " persistent" : "");
    }

    /** A TAP interface switchd created goes with the port the operator deleted, even a persistent one. */
    @Override
    public void deleting(Port port) {
        if (port instanceof TapPort tap) {
            tap.removeInterfaceOnClose();
        }
    }

    @Override
    public void closed(Port port) {
        if (port instanceof TapPort t && !t.persistent()) {
            LOG.info("removed " + t);
        }
    }
}

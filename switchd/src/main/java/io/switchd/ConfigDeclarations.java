package io.switchd;

import io.switchd.api.model.PortInfo;
import io.switchd.config.BridgeConfig;
import io.switchd.config.ConfigMerge;
import io.switchd.config.PortConfig;
import io.switchd.config.PortField;
import io.switchd.config.StaticMac;
import io.switchd.control.ControlException;
import io.switchd.frame.MacAddress;
import io.switchd.port.kind.NetdevSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the config file, as last loaded, declares: the bridges, ports and static entries that only
 * the config file deletes (the API's deletions of them are refused), and each port's settings as
 * the file gives them, from which a running port's overrides (what the API changed) are told.
 */
final class ConfigDeclarations {
    /** A port's settings when nobody gave any: what "default" means in a port's view. */
    private static final PortConfig DEFAULTS = new PortConfig("", NetdevSettings.INSTANCE, true);

    private final String file;
    private final Map<String, BridgeConfig> bridges;
    private final Map<String, ConfigMerge.Placed> ports;

    /** The declarations of the config file {@code file} (null if unknown), whose bridges are {@code declared}. */
    ConfigDeclarations(List<BridgeConfig> declared, Path file) {
        this.file = file == null ? "the config file" : "the config file (" + file + ")";
        this.bridges = ConfigMerge.byName(declared);
        this.ports = ConfigMerge.ports(declared);
    }

    /** "config" if the config file declares the bridge, else "api". */
    String bridgeOrigin(String bridge) {
        return bridges.containsKey(bridge) ? "config" : "api";
    }

    /** The port as the config file declares it in {@code bridge}, or null if it does not. */
    PortConfig port(String bridge, String name) {
        ConfigMerge.Placed p = ports.get(name);
        return p != null && p.bridge().equals(bridge) ? p.port() : null;
    }

    /** Refuses to delete a bridge the config file declares. */
    void checkBridgeDeletion(String bridge) throws ControlException {
        if (bridges.containsKey(bridge)) {
            throw ControlException.conflict("bridge " + bridge + " is declared in " + file
                    + "; remove it there and reload");
        }
    }

    /**
     * Refuses to delete a port the config file declares, or, when {@code owner} is given, one that
     * was not added with that owner.
     */
    void checkPortDeletion(String bridge, PortConfig running, String owner) throws ControlException {
        String name = running.name();
        if (port(bridge, name) != null) {
            throw ControlException.conflict("port " + bridge + "/" + name + " is declared in " + file
                    + "; remove it there and reload, or set it down with 'switchctl port set " + bridge + " " + name
                    + " down'");
        }
        if (owner != null && !owner.equals(running.owner())) {
            throw ControlException.conflict("port " + bridge + "/" + name + " was added "
                    + (running.owner() == null ? "without an owner" : "by " + running.owner()) + ", not by " + owner
                    + "; it stays");
        }
    }

    /** Refuses to delete a mirror the config file declares. */
    void checkMirrorDeletion(String bridge, String name) throws ControlException {
        BridgeConfig b = bridges.get(bridge);
        if (b != null && b.mirrors().stream().anyMatch(m -> m.name().equals(name))) {
            throw ControlException.conflict("mirror " + bridge + "/" + name + " is declared in " + file
                    + "; remove it there and reload");
        }
    }

    /** Refuses to delete a static entry the config file declares. */
    void checkStaticDeletion(String bridge, int vlan, long mac) throws ControlException {
        if (declaresStatic(bridge, vlan, mac)) {
            throw ControlException.conflict("the static entry " + MacAddress.format(mac) + " in VLAN " + vlan
                    + " of bridge " + bridge + " is declared in " + file + "; remove it there and reload");
        }
    }

    /** Whether the config file declares a static entry for {@code mac} in {@code vlan} of {@code bridge}. */
    boolean declaresStatic(String bridge, int vlan, long mac) {
        BridgeConfig b = bridges.get(bridge);
        if (b == null) {
            return false;
        }
        for (StaticMac s : b.staticMacs()) {
            if (s.vlan() == vlan && s.mac() == mac) {
                return true;
            }
        }
        return false;
    }

    /** "config" if the config file declares the port in {@code bridge}, else "api". */
    String portOrigin(String bridge, String name) {
        return port(bridge, name) != null ? "config" : "api";
    }

    /**
     * Each setting of the running port {@code running} of {@code bridge} in config words, and where
     * its value comes from: "api" where it differs from the config file's (or, for a port the API
     * added, from the default), "default" where it is the default, "config" otherwise.
     */
    List<PortInfo.SettingInfo> settings(String bridge, PortConfig running) {
        PortConfig declared = port(bridge, running.name());
        List<PortInfo.SettingInfo> out = new ArrayList<>();
        for (PortField f : PortField.values()) {
            String value = f.of(running);
            String from;
            if (declared != null && !value.equals(f.of(declared))) {
                from = "api";
            } else if (value.equals(f.of(DEFAULTS))) {
                from = "default";
            } else {
                from = declared != null ? "config" : "api";
            }
            out.add(new PortInfo.SettingInfo(f.key(), value, from));
        }
        return out;
    }

    /** The keys of a config port's {@code settings} that the API overrides; empty for a port the API added. */
    static List<String> overrides(String origin, List<PortInfo.SettingInfo> settings) {
        List<String> out = new ArrayList<>();
        if (origin.equals("config")) {
            for (PortInfo.SettingInfo s : settings) {
                if (s.from().equals("api")) {
                    out.add(s.key());
                }
            }
        }
        return out;
    }
}

package io.switchd.control;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.switchd.config.BridgeConfig;
import io.switchd.config.BridgeField;
import io.switchd.config.MirrorConfig;
import io.switchd.config.PortStpConfig;
import io.switchd.config.StpConfig;
import io.switchd.stp.EdgeMode;
import io.switchd.config.PortConfig;
import io.switchd.config.StaticMac;
import io.switchd.config.SwitchdConfig;
import io.switchd.frame.MacAddress;
import io.switchd.port.PortPolicy;
import io.switchd.port.StormControl;
import io.switchd.port.VlanList;
import io.switchd.port.VlanMode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record of what the API changed: the bridges as they run, and the config file's bridges they
 * were based on, in HOCON. At the next start or reload, what the config file changed since that
 * base is applied over the running bridges ({@link io.switchd.config.ConfigMerge}). Written whole on
 * every change through a temporary file, fsync and rename, so a crash at any moment leaves either
 * the old file or the new one.
 */
public final class StateFile {
    private final Path path;

    /** The state file at {@code path}. */
    public StateFile(Path path) {
        this.path = path;
    }

    /**
     * Writes {@code running}'s bridges and the config file's bridges {@code base}; returns once the
     * file and its directory are on disk.
     */
    public void write(SwitchdConfig running, List<BridgeConfig> base) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String text = "# Written by switchd: the bridges as they run, with what the control API changed\n"
                + "# (switchd.bridges), and the config file's bridges they were based on (base.bridges).\n"
                + "# At a start or reload, what the config file changed since its base is applied over\n"
                + "# switchd.bridges. Delete this file to go back to the config file alone.\n"
                + render(running.bridges(), base);
        Path tmp = dir.resolve("." + path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself
        }
    }

    /** The HOCON text of the running bridges and their base. */
    static String render(List<BridgeConfig> running, List<BridgeConfig> base) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("switchd", Map.of("bridges", bridges(running)));
        root.put("base", Map.of("bridges", bridges(base)));
        return ConfigValueFactory.fromMap(root).render(ConfigRenderOptions.defaults().setOriginComments(false)
                .setJson(false).setFormatted(true));
    }

    private static Map<String, Object> bridges(List<BridgeConfig> list) {
        Map<String, Object> bridges = new LinkedHashMap<>();
        for (BridgeConfig b : list) {
            Map<String, Object> bridge = new LinkedHashMap<>();
            bridge.put("ageing-time", BridgeField.duration(b.ageingTime()));
            bridge.put("mac-table-size", b.macTableSize());
            bridge.put("group-forward-mask", b.groupForwardMask());
            if (!b.stp().equals(StpConfig.OFF)) {
                StpConfig stp = b.stp();
                bridge.put("stp", Map.of("mode", stp.modeName(), "priority", stp.priority(),
                        "hello-time", stp.helloTime() + "s", "max-age", stp.maxAge() + "s",
                        "forward-delay", stp.forwardDelay() + "s"));
            }
            Map<String, Object> ports = new LinkedHashMap<>();
            for (PortConfig p : b.ports()) {
                Map<String, Object> port = new LinkedHashMap<>();
                port.put("type", p.type().configName());
                port.putAll(p.kindSettings().kind().configValues(p.kindSettings()));
                port.put("admin", p.adminUp() ? "up" : "down");
                policy(p.policy(), port);
                if (!p.stp().equals(PortStpConfig.DEFAULT)) {
                    PortStpConfig stp = p.stp();
                    port.put("stp", Map.of("cost", stp.cost() == 0 ? "auto" : (Object) stp.cost(),
                            "priority", stp.priority(), "edge", stp.edge() == EdgeMode.AUTO ? "auto"
                                    : (Object) (stp.edge() == EdgeMode.ON), "bpdu-guard", stp.bpduGuard(),
                            "root-guard", stp.rootGuard()));
                }
                if (p.owner() != null) {
                    port.put("owner", p.owner());
                }
                ports.put(p.name(), port);
            }
            bridge.put("ports", ports);
            List<Object> statics = new ArrayList<>();
            for (StaticMac s : b.staticMacs()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("mac", MacAddress.format(s.mac()));
                entry.put("port", s.port());
                entry.put("vlan", s.vlan());
                statics.add(entry);
            }
            bridge.put("static-macs", statics);
            if (!b.mirrors().isEmpty()) {
                Map<String, Object> mirrors = new LinkedHashMap<>();
                for (MirrorConfig m : b.mirrors()) {
                    Map<String, Object> mirror = new LinkedHashMap<>();
                    mirror.put("select-ingress", m.selectIngress());
                    mirror.put("select-egress", m.selectEgress());
                    mirror.put("select-vlans", m.selectVlans());
                    mirror.put("output", m.output());
                    mirrors.put(m.name(), mirror);
                }
                bridge.put("mirrors", mirrors);
            }
            bridges.put(b.name(), bridge);
        }
        return bridges;
    }

    /** The settings that differ from a port's defaults, in config keys. */
    private static void policy(PortPolicy pol, Map<String, Object> port) {
        if (pol.mode() == VlanMode.ACCESS) {
            port.put("vlan-mode", "access");
            port.put("vlan", pol.accessVlan());
        } else if (pol.mode() == VlanMode.TRUNK) {
            port.put("vlan-mode", "trunk");
            if (!pol.trunkVlans().isEmpty()) {
                port.put("vlans", List.of(VlanList.format(pol.trunkVlans()).split(",")));
            }
            if (pol.nativeVlan() >= 0) {
                port.put("native-vlan", pol.nativeVlan());
            }
        }
        PortPolicy d = PortPolicy.DEFAULT;
        if (pol.macLimit() != d.macLimit()) {
            port.put("mac-limit", pol.macLimit());
        }
        if (pol.learning() != d.learning()) {
            port.put("learning", pol.learning());
        }
        if (pol.flood() != d.flood()) {
            port.put("flood", pol.flood());
        }
        if (pol.locked() != d.locked()) {
            port.put("locked", pol.locked());
        }
        if (pol.isolated() != d.isolated()) {
            port.put("isolated", pol.isolated());
        }
        StormControl s = pol.storm();
        if (s.enabled()) {
            Map<String, Object> storm = new LinkedHashMap<>();
            storm.put("broadcast", s.rate(StormControl.BROADCAST));
            storm.put("multicast", s.rate(StormControl.MULTICAST));
            storm.put("unknown-unicast", s.rate(StormControl.UNKNOWN_UNICAST));
            storm.put("burst", s.burst());
            port.put("storm-control", storm);
        }
    }

    /** Where the file is. */
    public Path path() {
        return path;
    }
}

package io.switchd.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.switchd.frame.MacAddress;
import io.switchd.port.PortPolicy;
import io.switchd.port.VlanList;
import io.switchd.port.kind.PortKind;
import io.switchd.port.kind.PortKindSettings;
import io.switchd.port.kind.PortKinds;
import io.switchd.stp.BridgeId;
import io.switchd.stp.EdgeMode;
import io.switchd.stp.PathCost;
import io.switchd.stp.PortId;
import io.switchd.stp.StpMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a HOCON file over the jar's reference.conf and turns it into a {@link SwitchdConfig}, or
 * refuses it with a {@link ConfigError} that names the file, line and key path of the first mistake.
 */
public final class ConfigLoader {
    private static final Set<String> ROOT_KEYS = Set.of("switchd");
    private static final Set<String> STATE_KEYS = Set.of("switchd", "base");
    private static final Set<String> SWITCHD_KEYS = Set.of("threads", "busy-poll", "spin-before-sleep", "bridges", "bridge-defaults", "port-defaults",
            "control", "metrics", "state-file", "etcd");
    private static final Set<String> ETCD_KEYS = Set.of("endpoints", "prefix", "lease");
    private static final Pattern ETCD_ENDPOINT = Pattern.compile("https?://[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}");
    private static final Pattern ETCD_PREFIX = Pattern.compile("(/[A-Za-z0-9_.-]+)+");
    private static final Set<String> CONTROL_KEYS = Set.of("socket", "group", "max-captures");
    private static final Set<String> METRICS_KEYS = Set.of("listen", "fdb-entries-limit");
    private static final Set<String> BRIDGE_DEFAULT_KEYS = Set.of("ageing-time", "mac-table-size", "group-forward-mask");
    private static final Set<String> BRIDGE_KEYS = Set.of("ageing-time", "mac-table-size", "group-forward-mask",
            "ports", "static-macs", "stp", "mirrors");
    private static final Set<String> MIRROR_KEYS = Set.of("select-ingress", "select-egress", "select-vlans", "output");
    /** Every port's keys, and each kind's own (PortKind.configKeys: persistent, socket, mode). */
    private static final Set<String> PORT_KEYS = withKindKeys(Set.of("type", "admin", "vlan-mode", "vlan", "vlans",
            "native-vlan", "mac-limit", "learning", "flood", "locked", "isolated", "storm-control", "stp"));
    private static final Set<String> VLAN_KEYS = Set.of("vlan-mode", "vlan", "vlans", "native-vlan");
    /** A port in the state file has one more: who added it through the API. */
    private static final Set<String> STATE_PORT_KEYS = withOwner(PORT_KEYS);
    private static final Set<String> STORM_KEYS = Set.of("broadcast", "multicast", "unknown-unicast", "burst");
    private static final Set<String> STP_KEYS = Set.of("mode", "priority", "hello-time", "max-age", "forward-delay");
    private static final Set<String> PORT_STP_KEYS = Set.of("cost", "priority", "edge", "bpdu-guard", "root-guard");
    private static final Set<String> STATIC_MAC_KEYS = Set.of("mac", "port", "vlan");
    private static final Pattern BRIDGE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern IFNAME = Pattern.compile("[^/\\s:]{1,15}");
    private static final int PAUSE_BIT = 1;

    private ConfigLoader() {}

    /** Loads and validates the config file {@code file}. */
    public static SwitchdConfig load(Path file) throws ConfigError {
        return validate(parseFile(file), file.toString(), PORT_KEYS, true);
    }

    /**
     * Reads and validates the state file at {@code file}, or returns null when there is none. Its
     * sections stand alone: only the built-in defaults are under them, never the config file's.
     */
    public static SavedState loadState(Path file) throws ConfigError {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        String name = file.toString();
        Config state = parseFile(file);
        checkKeys(state.root(), "", STATE_KEYS, name);
        List<BridgeConfig> bridges = validate(state.withOnlyPath("switchd"), name, STATE_PORT_KEYS, false).bridges();
        ConfigValue base = state.root().get("base");
        if (base == null) {
            return new SavedState(bridges, null);
        }
        if (base.valueType() != ConfigValueType.OBJECT) {
            throw error(base, name, "base", "must be an object { bridges { ... } }, not a " + typeName(base));
        }
        return new SavedState(bridges, validate(((ConfigObject) base).toConfig().atKey("switchd"), name, PORT_KEYS, false)
                .bridges());
    }

    private static Config parseFile(Path file) throws ConfigError {
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(file.toString(), -1, null, "no such configuration file");
        }
        Includes.check(file);
        try {
            return ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (ConfigException e) {
            throw fromTypesafe(file.toString(), e);
        }
    }

    /** The settings of a new bridge named {@code name} added at run time: the configuration's bridge defaults. */
    public static BridgeConfig newBridge(SwitchdConfig config, String name) throws ConfigError {
        if (!BRIDGE_NAME.matcher(name).matches()) {
            throw new ConfigError("request", -1, "name", "a bridge name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        BridgeConfig d = config.bridgeDefaults();
        return new BridgeConfig(name, d.ageingTime(), d.macTableSize(), d.groupForwardMask(), List.of(), List.of());
    }

    /** Whether {@code name} can be a Linux interface name. */
    public static boolean isInterfaceName(String name) {
        return IFNAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** Validates configuration text, as if read from a file named {@code name}; for tests and the API. */
    public static SwitchdConfig parse(String text, String name) throws ConfigError {
        Config user;
        try {
            user = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(name));
        } catch (ConfigException e) {
            throw fromTypesafe(name, e, text);
        }
        return validate(user, name, PORT_KEYS, true);
    }

    /**
     * Validates {@code user} over the defaults; {@code portKeys} are the keys a port may have;
     * {@code configFile}: it is the config file (not the state file, whose ports take the config
     * file's etcd section), so a port asking for the directory needs a switchd.etcd section here.
     */
    private static SwitchdConfig validate(Config user, String file, Set<String> portKeys, boolean configFile)
            throws ConfigError {
        checkKeys(user.root(), "", ROOT_KEYS, file);
        Config merged;
        try {
            merged = user.withFallback(ConfigFactory.defaultReference(ConfigLoader.class.getClassLoader())).resolve();
        } catch (ConfigException e) {
            throw fromTypesafe(file, e);
        }
        Config sw = merged.getConfig("switchd");
        checkKeys(sw.root(), "switchd", SWITCHD_KEYS, file);
        int threads = intIn(sw, "threads", "switchd.threads", 0, 1024, file);
        boolean busyPoll = bool(sw, "busy-poll", "switchd.busy-poll", file);
        Duration spin = duration(sw, "spin-before-sleep", "switchd.spin-before-sleep", file);
        if (spin.isNegative() || spin.compareTo(Duration.ofSeconds(1)) > 0) {
            throw error(sw.getValue("spin-before-sleep"), file, "switchd.spin-before-sleep",
                    "must be a duration from 0 to 1s, such as 100us");
        }

        ConfigObject bridgeDefaults = object(sw.root(), "bridge-defaults", "switchd", file);
        checkKeys(bridgeDefaults, "switchd.bridge-defaults", BRIDGE_DEFAULT_KEYS, file);
        ConfigObject portDefaults = object(sw.root(), "port-defaults", "switchd", file);
        checkKeys(portDefaults, "switchd.port-defaults", PORT_KEYS, file);
        if (portDefaults.containsKey("socket")) {
            throw error(portDefaults.get("socket"), file, "switchd.port-defaults.socket",
                    "names one vhost-user port's socket: set it on the port, not in port-defaults");
        }
        // its mistakes are named there, not at the first port; persistent = true is fine there for the taps
        port("port-defaults", ConfigFactory.empty().root(), portDefaults, "switchd.port-defaults", file);

        ConfigObject control = object(sw.root(), "control", "switchd", file);
        checkKeys(control, "switchd.control", CONTROL_KEYS, file);
        ControlConfig controlConfig = new ControlConfig(
                string(control.toConfig(), "socket", "switchd.control.socket", file),
                string(control.toConfig(), "group", "switchd.control.group", file),
                intIn(control.toConfig(), "max-captures", "switchd.control.max-captures", 0, 64, file));
        if (!controlConfig.socket().startsWith("/")) {
            throw error(control.get("socket"), file, "switchd.control.socket", "must be an absolute path");
        }
        ConfigObject metrics = object(sw.root(), "metrics", "switchd", file);
        checkKeys(metrics, "switchd.metrics", METRICS_KEYS, file);
        String listen = string(metrics.toConfig(), "listen", "switchd.metrics.listen", file);
        if (!listen.isEmpty() && !listen.matches("\\[?[0-9A-Fa-f:.]+\\]?:[0-9]{1,5}|localhost:[0-9]{1,5}")) {
            throw error(metrics.get("listen"), file, "switchd.metrics.listen",
                    "must be host:port such as 127.0.0.1:9468, or \"\" for no listener");
        }
        MetricsConfig metricsConfig = new MetricsConfig(listen, intIn(metrics.toConfig(), "fdb-entries-limit",
                "switchd.metrics.fdb-entries-limit", 0, 1 << 24, file));
        String stateText = string(sw, "state-file", "switchd.state-file", file);
        Path stateFile = stateText.isEmpty() ? null : Path.of(stateText);

        EtcdConfig etcd = sw.hasPath("etcd") ? etcd(object(sw.root(), "etcd", "switchd", file), file) : null;

        BridgeConfig defaults = bridge("", bridgeDefaults.toConfig(), bridgeDefaults, "switchd.bridge-defaults",
                portDefaults, PORT_KEYS, new HashMap<>(), file);
        ConfigObject bridges = object(sw.root(), "bridges", "switchd", file);
        List<BridgeConfig> out = new ArrayList<>();
        Map<String, String> portOwner = new HashMap<>();
        for (String name : new java.util.TreeSet<>(bridges.keySet())) {
            String path = "switchd.bridges." + quote(name);
            ConfigObject b = object(bridges, name, "switchd.bridges", file);
            if (!BRIDGE_NAME.matcher(name).matches()) {
                throw error(b, file, path, "a bridge name is 1 to 64 letters, digits, '.', '_' or '-'");
            }
            checkKeys(b, path, BRIDGE_KEYS, file);
            out.add(bridge(name, b.withFallback(bridgeDefaults).toConfig(), b, path, portDefaults, portKeys, portOwner,
                    file));
        }
        if (etcd == null && configFile) {
            refuseDirectory(portDefaults, "switchd.port-defaults", file);
            for (String name : bridges.keySet()) {
                ConfigObject b = (ConfigObject) bridges.get(name);
                if (b.get("ports") instanceof ConfigObject ports) {
                    for (String port : ports.keySet()) {
                        if (ports.get(port) instanceof ConfigObject p) {
                            refuseDirectory(p, "switchd.bridges." + quote(name) + ".ports." + quote(port), file);
                        }
                    }
                }
            }
        }
        return new SwitchdConfig(threads, busyPoll, spin, controlConfig, metricsConfig, stateFile, etcd, defaults, out);
    }

    /** {@code switchd.etcd}: endpoints (required, http(s)://host:port), prefix, lease (whole seconds, 2s to 1h). */
    private static EtcdConfig etcd(ConfigObject etcd, String file) throws ConfigError {
        checkKeys(etcd, "switchd.etcd", ETCD_KEYS, file);
        ConfigValue ev = etcd.get("endpoints");
        if (ev == null) {
            throw error(etcd, file, "switchd.etcd.endpoints", "missing: the etcd members' client URLs, such as "
                    + "[\"http://192.0.2.10:2379\"]");
        }
        if (ev.valueType() != ConfigValueType.LIST || ((com.typesafe.config.ConfigList) ev).isEmpty()) {
            throw error(ev, file, "switchd.etcd.endpoints", "must be a non-empty list of client URLs such as "
                    + "[\"http://192.0.2.10:2379\"]");
        }
        List<String> endpoints = new ArrayList<>();
        for (ConfigValue e : (com.typesafe.config.ConfigList) ev) {
            if (e.valueType() != ConfigValueType.STRING || !ETCD_ENDPOINT.matcher((String) e.unwrapped()).matches()) {
                throw error(e, file, "switchd.etcd.endpoints", "must be client URLs such as \"http://192.0.2.10:2379\", "
                        + "not " + e.render());
            }
            endpoints.add((String) e.unwrapped());
        }
        Config c = etcd.toConfig();
        String prefix = c.hasPath("prefix") ? string(c, "prefix", "switchd.etcd.prefix", file) : EtcdConfig.DEFAULT_PREFIX;
        if (!ETCD_PREFIX.matcher(prefix).matches()) {
            throw error(etcd.get("prefix"), file, "switchd.etcd.prefix", "must be a key path such as /switchd "
                    + "(starts with /, no trailing /, letters, digits, '.', '_' and '-'), not \"" + prefix + "\"");
        }
        Duration lease = c.hasPath("lease") ? duration(c, "lease", "switchd.etcd.lease", file) : EtcdConfig.DEFAULT_LEASE;
        if (lease.toMillis() % 1000 != 0 || lease.getSeconds() < 2 || lease.getSeconds() > 3600) {
            throw error(etcd.get("lease"), file, "switchd.etcd.lease", "must be whole seconds from 2s to 1h, such as "
                    + "10s (etcd's leases count seconds)");
        }
        return new EtcdConfig(endpoints, prefix, lease);
    }

    /** A port that asks for the directory where the config has no switchd.etcd section is a mistake. */
    private static void refuseDirectory(ConfigObject port, String path, String file) throws ConfigError {
        ConfigValue d = port.get("directory");
        if (d != null) {
            throw error(d, file, path + ".directory", "needs a switchd.etcd { endpoints = [...] } section to take "
                    + "peers and MACs from");
        }
    }

    private static BridgeConfig bridge(String name, Config c, ConfigObject b, String path, ConfigObject portDefaults,
                                       Set<String> portKeys, Map<String, String> portOwner, String file)
            throws ConfigError {
        Duration ageing = duration(c, "ageing-time", path + ".ageing-time", file);
        if (ageing.isNegative() || ageing.compareTo(Duration.ofDays(365)) > 0) {
            throw error(c.getValue("ageing-time"), file, path + ".ageing-time", "must be between 0s and 365d");
        }
        int size = intIn(c, "mac-table-size", path + ".mac-table-size", 1, 1 << 24, file);
        int mask = groupForwardMask(c, path + ".group-forward-mask", file);

        List<PortConfig> ports = new ArrayList<>();
        ConfigObject portsObj = c.hasPath("ports") ? object(c.root(), "ports", path, file) : ConfigFactory.empty().root();
        for (String port : new java.util.TreeSet<>(portsObj.keySet())) {
            String ppath = path + ".ports." + quote(port);
            ConfigObject p = object(portsObj, port, path + ".ports", file);
            if (!isInterfaceName(port)) {
                throw error(p, file, ppath, "not a Linux interface name (1 to 15 characters, no '/', ':' or spaces)");
            }
            checkKeys(p, ppath, portKeys, file);
            String other = portOwner.putIfAbsent(port, name);
            if (other != null) {
                throw error(p, file, ppath, "port " + port + " is already in bridge " + other
                        + "; a port belongs to one bridge");
            }
            PortConfig pc = port(port, p, withDefaults(p, portDefaults), ppath, file);
            Map.Entry<String, String> held = pc.kindSettings().kind().exclusive(pc.kindSettings());
            if (held != null) {
                // in the same map as the port names, apart from them: no interface name has a NUL
                String user = portOwner.putIfAbsent("\0" + held.getKey() + " " + held.getValue(), name + "/" + port);
                if (user != null) {
                    throw error(p.get(held.getKey()), file, ppath + "." + held.getKey(), held.getKey() + " "
                            + held.getValue() + " is port " + user + "'s already; each port needs its own");
                }
            }
            ports.add(pc);
        }

        List<StaticMac> statics = new ArrayList<>();
        if (c.hasPath("static-macs")) {
            ConfigValue list = c.getValue("static-macs");
            if (list.valueType() != ConfigValueType.LIST) {
                throw error(list, file, path + ".static-macs", "must be a list of { mac, port, vlan } objects");
            }
            List<? extends ConfigValue> items = c.getList("static-macs");
            for (int i = 0; i < items.size(); i++) {
                String spath = path + ".static-macs[" + i + "]";
                ConfigValue item = items.get(i);
                if (item.valueType() != ConfigValueType.OBJECT) {
                    throw error(item, file, spath, "must be an object { mac = \"..\", port = .. }");
                }
                ConfigObject so = (ConfigObject) item;
                checkKeys(so, spath, STATIC_MAC_KEYS, file);
                Config sc = so.toConfig();
                String macText = string(sc, "mac", spath + ".mac", file);
                long mac;
                try {
                    mac = MacAddress.parse(macText);
                } catch (IllegalArgumentException e) {
                    throw error(sc.getValue("mac"), file, spath + ".mac", "\"" + macText + "\" is not a MAC address");
                }
                if (MacAddress.isGroup(mac) || mac == 0) {
                    throw error(sc.getValue("mac"), file, spath + ".mac",
                            macText + " is a group or all-zero address; static entries are unicast");
                }
                String port = string(sc, "port", spath + ".port", file);
                if (!portsObj.containsKey(port)) {
                    throw error(sc.getValue("port"), file, spath + ".port",
                            "port " + port + " is not a port of bridge " + name);
                }
                int vlan = sc.hasPath("vlan") ? intIn(sc, "vlan", spath + ".vlan", 0, 4094, file) : 0;
                statics.add(new StaticMac(mac, vlan, port));
            }
        }
        StpConfig stp = b.containsKey("stp") ? stp(object(b, "stp", path, file), path + ".stp", file) : StpConfig.OFF;
        List<MirrorConfig> mirrors = b.containsKey("mirrors")
                ? mirrors(object(b, "mirrors", path, file), path + ".mirrors", portsObj.keySet(), file) : List.of();
        return new BridgeConfig(name, ageing, size, mask, ports, statics, stp, mirrors);
    }

    /**
     * A bridge's {@code mirrors} block: one object per mirror, by name, checked against the bridge's
     * {@code ports} and each other as the API checks a mirror it adds.
     */
    private static List<MirrorConfig> mirrors(ConfigObject o, String path, Set<String> ports, String file)
            throws ConfigError {
        List<MirrorConfig> out = new ArrayList<>();
        Map<String, PortBlock> blocks = new HashMap<>();
        if (o.size() > MirrorConfig.MAX_PER_BRIDGE) {
            throw error(o, file, path, "a bridge has at most " + MirrorConfig.MAX_PER_BRIDGE + " mirrors, not "
                    + o.size());
        }
        for (String name : new java.util.TreeSet<>(o.keySet())) {
            String mpath = path + "." + quote(name);
            ConfigObject m = object(o, name, path, file);
            String bad = MirrorConfig.nameProblem(name);
            if (bad != null) {
                throw error(m, file, mpath, bad);
            }
            checkKeys(m, mpath, MIRROR_KEYS, file);
            PortBlock block = new PortBlock(m, m, mpath, file);
            List<String> ingress = block.has("select-ingress") ? block.strings("select-ingress", x -> { }) : List.of();
            List<String> egress = block.has("select-egress") ? block.strings("select-egress", x -> { }) : List.of();
            List<Integer> vlans = new ArrayList<>();
            if (block.has("select-vlans")) {
                ConfigValue v = m.get("select-vlans");
                if (v.valueType() != ConfigValueType.LIST) {
                    throw block.error("select-vlans", "must be a list of VLAN numbers [10, 20], not a " + typeName(v));
                }
                com.typesafe.config.ConfigList list = (com.typesafe.config.ConfigList) v;
                for (int i = 0; i < list.size(); i++) {
                    ConfigValue item = list.get(i);
                    String problem = item.valueType() == ConfigValueType.NUMBER && item.unwrapped() instanceof Integer n
                            ? MirrorConfig.vlanProblem(n) : "must be a VLAN number from 0 to 4094, not a "
                            + typeName(item);
                    if (problem != null) {
                        throw error(item, file, mpath + ".select-vlans[" + i + "]", problem);
                    }
                    vlans.add((Integer) item.unwrapped());
                }
            }
            if (!block.has("output")) {
                throw error(m, file, mpath + ".output", "a mirror needs an output port");
            }
            out.add(new MirrorConfig(name, ingress, egress, vlans, block.string("output")));
            blocks.put(name, block);
        }
        for (MirrorConfig m : out) {
            List<MirrorConfig.Problem> problems = m.problems(ports, out);
            if (!problems.isEmpty()) {
                throw blocks.get(m.name()).error(problems.get(0).key(), problems.get(0).message());
            }
        }
        return out;
    }

    /** A bridge's {@code stp} block: what it leaves out is 802.1D's default. */
    private static StpConfig stp(ConfigObject o, String path, String file) throws ConfigError {
        checkKeys(o, path, STP_KEYS, file);
        Config c = o.toConfig();
        StpConfig d = StpConfig.OFF;
        StpMode mode = d.mode();
        if (c.hasPath("mode")) {
            String text = string(c, "mode", path + ".mode", file);
            switch (text) {
                case "rstp" -> mode = StpMode.RSTP;
                case "stp" -> mode = StpMode.STP;
                case "off" -> mode = null;
                default -> throw error(o.get("mode"), file, path + ".mode",
                        "must be rstp, stp or off, not \"" + text + "\"");
            }
        }
        int priority = c.hasPath("priority") ? intIn(c, "priority", path + ".priority", 0, 65535, file) : d.priority();
        try {
            BridgeId.checkPriority(priority);
        } catch (IllegalArgumentException e) {
            throw error(o.get("priority"), file, path + ".priority", e.getMessage());
        }
        int hello = c.hasPath("hello-time") ? seconds(c, "hello-time", path, file) : d.helloTime();
        int maxAge = c.hasPath("max-age") ? seconds(c, "max-age", path, file) : d.maxAge();
        int forwardDelay = c.hasPath("forward-delay") ? seconds(c, "forward-delay", path, file) : d.forwardDelay();
        try {
            return new StpConfig(mode, priority, hello, maxAge, forwardDelay);
        } catch (IllegalArgumentException e) {
            // the ranges and 802.1D's rule between the times; max-age is in both of the rule's halves
            String key = e.getMessage().startsWith("hello time") ? "hello-time"
                    : e.getMessage().startsWith("forward delay") ? "forward-delay" : "max-age";
            ConfigValue at = o.containsKey(key) ? o.get(key) : o;
            throw error(at, file, path + "." + key, e.getMessage());
        }
    }

    /** A spanning tree time: a duration of whole seconds, as BPDUs and the kernel bridge count them. */
    private static int seconds(Config c, String key, String path, String file) throws ConfigError {
        Duration d = duration(c, key, path + "." + key, file);
        if (d.isNegative() || d.toMillis() % 1000 != 0 || d.toSeconds() > 3600) {
            throw error(c.getValue(key), file, path + "." + key, "must be whole seconds such as 2s");
        }
        return (int) d.toSeconds();
    }

    /** A port's {@code stp} block. */
    private static PortStpConfig portStp(ConfigObject o, String path, String file) throws ConfigError {
        checkKeys(o, path, PORT_STP_KEYS, file);
        Config c = o.toConfig();
        PortStpConfig d = PortStpConfig.DEFAULT;
        long cost = d.cost();
        if (c.hasPath("cost")) {
            ConfigValue v = c.getValue("cost");
            if (v.valueType() == ConfigValueType.STRING && "auto".equals(v.unwrapped())) {
                cost = 0;
            } else if (v.valueType() == ConfigValueType.NUMBER) {
                cost = intIn(c, "cost", path + ".cost", (int) PathCost.MIN, (int) PathCost.MAX, file);
            } else {
                throw error(v, file, path + ".cost", "must be auto or a whole number from 1 to 200000000");
            }
        }
        int priority = c.hasPath("priority") ? intIn(c, "priority", path + ".priority", 0, 255, file) : d.priority();
        try {
            PortId.checkPriority(priority);
        } catch (IllegalArgumentException e) {
            throw error(o.get("priority"), file, path + ".priority", e.getMessage());
        }
        EdgeMode edge = d.edge();
        if (c.hasPath("edge")) {
            ConfigValue v = c.getValue("edge");
            if (v.valueType() == ConfigValueType.BOOLEAN) {
                edge = (Boolean) v.unwrapped() ? EdgeMode.ON : EdgeMode.OFF;
            } else if (v.valueType() == ConfigValueType.STRING && "auto".equals(v.unwrapped())) {
                edge = EdgeMode.AUTO;
            } else {
                throw error(v, file, path + ".edge", "must be auto, true or false");
            }
        }
        boolean bpduGuard = c.hasPath("bpdu-guard") ? bool(c, "bpdu-guard", path + ".bpdu-guard", file) : d.bpduGuard();
        boolean rootGuard = c.hasPath("root-guard") ? bool(c, "root-guard", path + ".root-guard", file) : d.rootGuard();
        return new PortStpConfig(cost, priority, edge, bpduGuard, rootGuard);
    }

    /**
     * The port's own settings over port-defaults. A port that names its vlan-mode takes none of the
     * defaults' VLAN keys: an access VLAN of the defaults means nothing to a trunk.
     */
    private static ConfigObject withDefaults(ConfigObject own, ConfigObject portDefaults) {
        ConfigObject defaults = portDefaults;
        if (own.containsKey("vlan-mode")) {
            for (String k : VLAN_KEYS) {
                defaults = defaults.withoutKey(k);
            }
        }
        return own.withFallback(defaults);
    }

    /** A port from {@code settings} (its own keys, {@code own}, over the defaults). */
    private static PortConfig port(String name, ConfigObject own, ConfigObject settings, String path, String file)
            throws ConfigError {
        Config pc = settings.toConfig();
        String typeText = string(pc, "type", path + ".type", file);
        PortKind kind = PortKinds.named(typeText);
        if (kind == null) {
            throw error(pc.getValue("type"), file, path + ".type", "must be " + PortKinds.names() + ", not \""
                    + typeText + "\"");
        }
        PortBlock block = new PortBlock(own, settings, path, file);
        for (PortKind other : PortKinds.all()) {
            ConfigError misplaced = other == kind ? null : other.misplaced(block);
            if (misplaced != null) {
                throw misplaced;
            }
        }
        PortKindSettings kindSettings = kind.read(block);
        String admin = string(pc, "admin", path + ".admin", file);
        if (!admin.equals("up") && !admin.equals("down")) {
            throw error(settings.get("admin"), file, path + ".admin", "must be up or down, not \"" + admin + "\"");
        }
        // the owner is the API's record (state file only: PORT_KEYS keeps it out of config files and defaults)
        String owner = own.containsKey("owner") ? string(own.toConfig(), "owner", path + ".owner", file) : null;
        PortStpConfig stp = settings.containsKey("stp")
                ? portStp(object(settings, "stp", path, file), path + ".stp", file) : PortStpConfig.DEFAULT;
        return new PortConfig(name, kindSettings, admin.equals("up"), policy(settings, pc, path, file), owner, stp);
    }

    private static Set<String> withKindKeys(Set<String> keys) {
        Set<String> out = new java.util.HashSet<>(keys);
        out.addAll(PortKinds.configKeys());
        return Set.copyOf(out);
    }

    private static Set<String> withOwner(Set<String> keys) {
        Set<String> out = new java.util.HashSet<>(keys);
        out.add("owner");
        return Set.copyOf(out);
    }

    /** A port's forwarding settings: VLAN mode and membership, security flags, storm control. */
    private static PortPolicy policy(ConfigObject p, Config pc, String path, String file) throws ConfigError {
        PortPolicy.Builder b = PortPolicy.builder();
        String key = null;
        try {
            String mode = p.containsKey("vlan-mode") ? string(pc, key = "vlan-mode", path + ".vlan-mode", file) : "transparent";
            switch (mode) {
                case "access":
                    if (!p.containsKey("vlan")) {
                        throw error(p.get("vlan-mode"), file, path + ".vlan", "an access port needs vlan = N");
                    }
                    rejectKeys(p, path, file, "vlan-mode = access", "vlans", "native-vlan");
                    b.access(intIn(pc, key = "vlan", path + ".vlan", 1, PortPolicy.MAX_VID, file));
                    break;
                case "trunk":
                    rejectKeys(p, path, file, "vlan-mode = trunk", "vlan");
                    List<Integer> vlans = List.of();
                    if (p.containsKey("vlans")) {
                        key = "vlans";
                        ConfigValue v = pc.getValue("vlans");
                        if (v.valueType() != ConfigValueType.LIST) {
                            throw error(v, file, path + ".vlans", "must be a list such as [1, \"10-20\"]");
                        }
                        vlans = VlanList.parse(pc.getList("vlans").unwrapped());
                    }
                    int nativeVlan = p.containsKey("native-vlan")
                            ? intIn(pc, key = "native-vlan", path + ".native-vlan", 1, PortPolicy.MAX_VID, file) : -1;
                    if (vlans.isEmpty() && nativeVlan < 0) {
                        throw error(p.get("vlan-mode"), file, path + ".vlans", "a trunk needs vlans, a native-vlan or both");
                    }
                    b.trunk(vlans, nativeVlan);
                    break;
                case "transparent":
                    rejectKeys(p, path, file, "a port without vlan-mode", "vlan", "vlans", "native-vlan");
                    break;
                default:
                    throw error(p.get("vlan-mode"), file, path + ".vlan-mode",
                            "must be access or trunk (or absent: transparent), not \"" + mode + "\"");
            }
            if (p.containsKey("mac-limit")) {
                b.macLimit(intIn(pc, key = "mac-limit", path + ".mac-limit", 0, 1 << 24, file));
            }
            if (p.containsKey("learning")) {
                b.learning(bool(pc, key = "learning", path + ".learning", file));
            }
            if (p.containsKey("flood")) {
                b.flood(bool(pc, key = "flood", path + ".flood", file));
            }
            if (p.containsKey("locked")) {
                b.locked(bool(pc, key = "locked", path + ".locked", file));
            }
            if (p.containsKey("isolated")) {
                b.isolated(bool(pc, key = "isolated", path + ".isolated", file));
            }
            if (p.containsKey("storm-control")) {
                key = "storm-control";
                ConfigObject storm = object(p, "storm-control", path, file);
                checkKeys(storm, path + ".storm-control", STORM_KEYS, file);
                Config sc = storm.toConfig();
                String sp = path + ".storm-control.";
                int max = (int) PortPolicy.MAX_STORM;
                b.storm(sc.hasPath("broadcast") ? intIn(sc, "broadcast", sp + "broadcast", 0, max, file) : 0,
                        sc.hasPath("multicast") ? intIn(sc, "multicast", sp + "multicast", 0, max, file) : 0,
                        sc.hasPath("unknown-unicast") ? intIn(sc, "unknown-unicast", sp + "unknown-unicast", 0, max, file) : 0,
                        sc.hasPath("burst") ? intIn(sc, "burst", sp + "burst", 1, max, file) : 100);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            ConfigValue at = key != null && p.containsKey(key) ? p.get(key) : p;
            throw error(at, file, path + (key == null ? "" : "." + key), e.getMessage());
        }
    }

    private static void rejectKeys(ConfigObject p, String path, String file, String why, String... keys)
            throws ConfigError {
        for (String k : keys) {
            if (p.containsKey(k)) {
                throw error(p.get(k), file, path + "." + k, k + " does not apply to " + why);
            }
        }
    }

    private static int groupForwardMask(Config c, String path, String file) throws ConfigError {
        ConfigValue v = c.getValue("group-forward-mask");
        long mask;
        if (v.valueType() == ConfigValueType.NUMBER) {
            mask = ((Number) v.unwrapped()).longValue();
        } else if (v.valueType() == ConfigValueType.STRING) {
            String s = ((String) v.unwrapped()).trim().toLowerCase(Locale.ROOT);
            try {
                mask = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error(v, file, path, "must be a number from 0 to 0xffff, not \"" + s + "\"");
            }
        } else {
            throw error(v, file, path, "must be a number from 0 to 0xffff");
        }
        if (mask < 0 || mask > 0xFFFF) {
            throw error(v, file, path, "must be from 0 to 0xffff (one bit per 01:80:c2:00:00:0X)");
        }
        if ((mask & (1 << PAUSE_BIT)) != 0) {
            throw error(v, file, path, "bit 1 (01:80:c2:00:00:01, PAUSE) is never forwarded");
        }
        return (int) mask;
    }

    private static void checkKeys(ConfigObject obj, String path, Set<String> known, String file) throws ConfigError {
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            if (!known.contains(e.getKey())) {
                String p = path.isEmpty() ? quote(e.getKey()) : path + "." + quote(e.getKey());
                throw error(e.getValue(), file, p, "unknown key (known here: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static ConfigObject object(ConfigObject parent, String key, String parentPath, String file)
            throws ConfigError {
        ConfigValue v = parent.get(key);
        String path = parentPath + "." + quote(key);
        if (v == null) {
            throw new ConfigError(fileOf(parent.origin(), file), line(parent.origin()), path, "missing");
        }
        if (v.valueType() != ConfigValueType.OBJECT) {
            throw error(v, file, path, "must be an object { ... }, not a " + typeName(v));
        }
        return (ConfigObject) v;
    }

    private static Duration duration(Config c, String key, String path, String file) throws ConfigError {
        try {
            return c.getDuration(key);
        } catch (ConfigException e) {
            throw error(c.getValue(key), file, path, "must be a duration such as 300s or 5m");
        }
    }

    static int intIn(Config c, String key, String path, int min, int max, String file) throws ConfigError {
        ConfigValue v = c.getValue(key);
        if (v.valueType() != ConfigValueType.NUMBER) {
            throw error(v, file, path, "must be a whole number from " + min + " to " + max + ", not a " + typeName(v));
        }
        Number n = (Number) v.unwrapped();
        if (n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min || n.longValue() > max) {
            throw error(v, file, path, "must be a whole number from " + min + " to " + max + ", not " + n);
        }
        return n.intValue();
    }

    static String string(Config c, String key, String path, String file) throws ConfigError {
        if (!c.hasPath(key)) {
            throw new ConfigError(fileOf(c.origin(), file), line(c.origin()), path, "missing");
        }
        ConfigValue v = c.getValue(key);
        if (v.valueType() != ConfigValueType.STRING) {
            throw error(v, file, path, "must be a string, not a " + typeName(v));
        }
        return (String) v.unwrapped();
    }

    static boolean bool(Config c, String key, String path, String file) throws ConfigError {
        ConfigValue v = c.getValue(key);
        if (v.valueType() != ConfigValueType.BOOLEAN) {
            throw error(v, file, path, "must be true or false, not a " + typeName(v));
        }
        return (Boolean) v.unwrapped();
    }

    static String typeName(ConfigValue v) {
        return v.valueType().name().toLowerCase(Locale.ROOT);
    }

    private static String quote(String key) {
        return ConfigUtil.joinPath(key);
    }

    static ConfigError error(ConfigValue v, String file, String path, String problem) {
        ConfigOrigin o = v.origin();
        return new ConfigError(fileOf(o, file), line(o), path, problem);
    }

    private static String fileOf(ConfigOrigin o, String fallback) {
        if (o.filename() != null) {
            return o.filename();
        }
        if (o.resource() != null) {
            return "reference.conf in the switchd jar";
        }
        return fallback;
    }

    private static int line(ConfigOrigin o) {
        return o == null ? -1 : o.lineNumber();
    }

    private static ConfigError fromTypesafe(String file, ConfigException e) {
        return fromTypesafe(file, e, null);
    }

    /** A parse or resolve error, which Typesafe locates by line only: the key path is read off the text there. */
    private static ConfigError fromTypesafe(String file, ConfigException e, String text) {
        ConfigOrigin o = e.origin();
        String msg = e.getMessage();
        // Typesafe's message starts with the origin; keep only what is wrong.
        String description = o == null ? null : o.description();
        if (description != null && msg.startsWith(description)) {
            msg = msg.substring(description.length()).replaceFirst("^:\\s*", "");
        }
        int line = line(o);
        String path = null;
        if (line > 0 && o.filename() != null) {
            try {
                text = Files.readString(Path.of(o.filename()));
            } catch (java.io.IOException | RuntimeException unreadable) {
                text = null;
            }
        }
        if (line > 0 && text != null && (o.filename() != null || o.resource() == null)) {
            // Typesafe points at the end of the file for a brace never closed: point at the brace
            Optional<UnclosedBrace.Opener> unclosed = e instanceof ConfigException.Parse && msg.contains("end of file")
                    ? UnclosedBrace.find(text) : Optional.empty();
            if (unclosed.isPresent()) {
                UnclosedBrace.Opener b = unclosed.get();
                return new ConfigError(fileOf(o, file), b.line(), KeyPathAtLine.of(text.substring(0, b.offset() + 1),
                        b.line()), "this " + b.brace() + " is never closed: the file ends before its "
                        + (b.brace() == '{' ? '}' : ']'));
            }
            path = KeyPathAtLine.of(text, line);
        }
        return new ConfigError(o == null ? file : fileOf(o, file), line, path, msg);
    }
}

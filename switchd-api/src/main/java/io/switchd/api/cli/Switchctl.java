package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.ApiPaths;
import io.switchd.api.Json;
import io.switchd.api.client.ApiException;
import io.switchd.api.client.SwitchdClient;
import io.switchd.api.model.FdbFlush;
import io.switchd.api.model.NewBridge;
import io.switchd.api.model.NewFdbEntry;
import io.switchd.api.model.NewPort;
import io.switchd.api.model.ReloadChange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * switchctl: the operator's command line for a running switchd, as {@code bridge}/{@code ip} are for
 * the kernel bridge. Reads print aligned tables, or JSON with -j; exit status 0 on success, 1 when
 * the daemon refuses or cannot be reached, 2 for usage errors.
 */
// scope INHERIT: every command, however deep, gets -h/--help, -V/--version and the exit status list
@Command(name = "switchctl", mixinStandardHelpOptions = true, version = "switchctl 0.1.0", scope = ScopeType.INHERIT,
        description = "Inspect and change a running switchd.",
        parameterListHeading = "%nArguments:%n", optionListHeading = "%nOptions:%n", commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done", "1:the daemon refused the request or could not be reached", "2:usage error"})
public final class Switchctl implements Runnable {
    /** The commands, in the order the help lists them; added by {@link #commandLine(String...)}, not by picocli. */
    private static final List<Class<?>> COMMANDS = List.of(Bridge.class, Port.class, Fdb.class, Stp.class,
            Stats.class, Capture.class, Mirror.class, Reload.class, HelpCommand.class, Hook.class);

    @Option(names = {"-s", "--socket"}, scope = ScopeType.INHERIT, paramLabel = "SOCKET",
            defaultValue = "${env:SWITCHD_SOCKET:-" + ApiPaths.DEFAULT_SOCKET + "}",
            description = "The control socket (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = {"-j", "--json"}, scope = ScopeType.INHERIT, description = "Print JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs switchctl with {@code args}; returns the exit status. */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** switchctl's whole command line, every command built: what its help is checked on. */
    static CommandLine commandLine() {
        return commandLine((String[]) null);
    }

    /**
     * switchctl's command line for {@code args} (null: all of it), ready to execute, with its answers
     * to a refused request and to a usage error. Picocli reads every option of a command by
     * reflection, which takes most of a call's time; so only the commands {@code args} name are
     * built in full, the others by name and description only, as the top help lists them.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Switchctl());
        List<String> named = args == null ? null : Arrays.asList(args);
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (named == null || named.contains(a.name())) {
                cl.addSubcommand(a.name(), c);
            } else {
                CommandLine.Model.CommandSpec listed = CommandLine.Model.CommandSpec.create().name(a.name());
                listed.usageMessage().description(a.description());
                cl.addSubcommand(a.name(), listed);
            }
        }
        vhostUserSocketOption(cl);
        captureSnaplenOption(cl);
        return cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ApiException || ex instanceof IOException) {
                cmd.getErr().println("switchctl: " + message(ex, cmd));
                return 1;
            }
            throw ex;
        }).setParameterExceptionHandler(new UsageError());
    }

    /** {@code port add}'s own --socket: the vhost-user socket, not the control socket. */
    static final String VHOST_USER_SOCKET = "--socket";

    /**
     * Gives {@code port add} its own --socket, the socket of a vhost-user port. The global
     * -s/--socket (the control socket) is inherited by every command, and picocli refuses a
     * command an option of an inherited option's name; so here, once the commands are built,
     * {@code port add} trades the inherited option for its -s alone (still the control socket) and
     * a --socket of its own. Before the command, -s and --socket name the control socket as ever.
     */
    private static void vhostUserSocketOption(CommandLine cl) {
        CommandLine port = cl.getSubcommands().get("port");
        CommandLine add = port == null ? null : port.getSubcommands().get("add");
        if (add == null) {
            return; // not built: the command line does not name port
        }
        CommandLine.Model.CommandSpec spec = add.getCommandSpec();
        CommandLine.Model.OptionSpec control = spec.findOption(VHOST_USER_SOCKET);
        spec.remove(control);
        spec.addOption(CommandLine.Model.OptionSpec.builder(control).names("-s")
                .description("The control socket, as -s or --socket before the command.")
                .build());
        spec.addOption(CommandLine.Model.OptionSpec.builder(VHOST_USER_SOCKET).paramLabel("PATH").type(String.class)
                .description("vhost-user only, and needed there: the absolute path of the unix socket the VM's "
                        + "vhost-user frontend uses.").build());
    }

    /**
     * Gives {@code capture} tcpdump's -s SNAPLEN: it trades the inherited control socket option for
     * its --socket alone, as {@code port add} does with its own --socket.
     */
    private static void captureSnaplenOption(CommandLine cl) {
        CommandLine capture = cl.getSubcommands().get("capture");
        if (capture == null || capture.getCommandSpec().findOption(Capture.SNAPLEN) != null) {
            return;
        }
        CommandLine.Model.CommandSpec spec = capture.getCommandSpec();
        CommandLine.Model.OptionSpec control = spec.findOption("--socket");
        spec.remove(control);
        spec.addOption(CommandLine.Model.OptionSpec.builder(control).names("--socket")
                .description("The control socket, as -s or --socket before the command.")
                .build());
        spec.addOption(CommandLine.Model.OptionSpec.builder("-s", Capture.SNAPLEN).paramLabel("SNAPLEN")
                .type(Integer.class)
                .description("Keep at most this many bytes of each frame (default and most: 65535).").build());
    }

    private static String message(Exception ex, CommandLine cmd) {
        if (ex instanceof ApiException) {
            return ex.getMessage();
        }
        Switchctl root = (Switchctl) cmd.getCommandSpec().root().userObject();
        return "cannot reach switchd at " + root.socket + ": " + ex.getMessage();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), UsageError.commandNeeded(spec.commandLine()));
    }

    SwitchdClient client() {
        return new SwitchdClient(socket);
    }

    JsonNode call(String method, String path, Object body) throws IOException, ApiException {
        return client().call(method, ApiPaths.PREFIX + path, body);
    }

    /** Prints a write command's answer as JSON when -j is given; silent otherwise, as ip is. */
    void done(JsonNode answer) throws IOException {
        if (json && answer != null) {
            printJson(answer);
        }
    }

    void printJson(JsonNode node) throws IOException {
        System.out.println(Json.mapper().writeValueAsString(node));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String query(String... pairs) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                j.add(pairs[i] + "=" + enc(pairs[i + 1]));
            }
        }
        return j.toString();
    }

    @Command(name = "bridge", description = "List, add and delete bridges.", mixinStandardHelpOptions = true)
    static final class Bridge {
        @ParentCommand
        Switchctl root;

        @Command(name = "list", description = "List the bridges.")
        void list() throws Exception {
            JsonNode bridges = root.call("GET", "/bridges", null);
            if (root.json) {
                root.printJson(bridges);
                return;
            }
            Table t = new Table("BRIDGE", "PORTS", "FDB", "AGEING");
            for (JsonNode b : bridges) {
                StringJoiner ports = new StringJoiner(",");
                b.get("ports").forEach(p -> ports.add(p.asText()));
                t.row(b.get("name").asText(), ports.length() == 0 ? "-" : ports, b.get("fdb_entries").asInt(),
                        b.get("ageing_time").asLong() + "s");
            }
            t.print(System.out);
        }

        @Command(name = "add", description = "Add an empty bridge.")
        void add(@Parameters(paramLabel = "BR", description = "The new bridge's name.") String name) throws Exception {
            root.done(root.call("POST", "/bridges", new NewBridge(name)));
        }

        @Command(name = "del", description = "Delete a bridge and its ports.")
        void del(@Parameters(paramLabel = "BR", description = "The bridge.") String name) throws Exception {
            root.done(root.call("DELETE", "/bridges/" + enc(name), null));
        }
    }

    @Command(name = "port", description = "List, add, delete and set ports.", mixinStandardHelpOptions = true)
    static final class Port {
        @ParentCommand
        Switchctl root;

        @Command(name = "list", description = "List the ports of one bridge or all.")
        void list(@Parameters(paramLabel = "BR", arity = "0..1", description = "Only this bridge's ports.") String bridge) throws Exception {
            JsonNode ports = root.call("GET", bridge == null ? "/ports" : "/bridges/" + enc(bridge) + "/ports", null);
            if (root.json) {
                root.printJson(ports);
                return;
            }
            Table t = new Table("BRIDGE", "PORT", "TYPE", "STATE", "REASON", "MTU", "VLAN", "FLAGS", "FROM");
            for (JsonNode p : ports) {
                JsonNode reason = p.get("reason");
                t.row(p.get("bridge").asText(), p.get("name").asText(), p.get("type").asText(), p.get("state").asText(),
                        reason == null || reason.isNull() ? "-" : reason.asText(), p.get("mtu").asInt(), PortSetWords.vlanText(p), PortSetWords.flagsText(p),
                        PortSources.fromText(p));
            }
            t.print(System.out);
        }

        @Command(name = "show", description = "Show a port's settings and where each comes from: the config file, "
                + "the API, or the default.")
        void show(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                  @Parameters(paramLabel = "IFNAME", description = "The port.") String name) throws Exception {
            JsonNode port = root.call("GET", "/bridges/" + enc(bridge) + "/ports/" + enc(name), null);
            if (root.json) {
                root.printJson(port);
                return;
            }
            PortSources.print(port, System.out);
        }

        @Command(name = "reset", description = "Give a port the config file declares its settings from there again, "
                + "dropping what the API changed.")
        void reset(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                   @Parameters(paramLabel = "IFNAME", description = "The port.") String name) throws Exception {
            root.done(root.call("POST", "/bridges/" + enc(bridge) + "/ports/" + enc(name) + "/reset", null));
        }

        // --socket PATH (vhost-user) is added by vhostUserSocketOption: picocli would refuse it here
        @Command(name = "add", description = {"Attach an interface (netdev), create a TAP port (tap), or add a",
            "VM's vhost-user port (vhost-user) over the unix socket --socket names:",
            "  switchctl port add br0 vm3 --type vhost-user --socket /run/switchd/vm3.sock",
            "or a VXLAN port (vxlan): switchd creates the kernel's vxlan device of that name:",
            "  switchctl port add br0 vx1001 --type vxlan --vni 1001 --local IP --remote IP [--directory etcd]",
            "The control socket goes before the command: switchctl -s SOCKET port add ..."})
        void add(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                 @Parameters(paramLabel = "IFNAME", description = "The interface to attach, the TAP or vxlan device "
                         + "to create, or the vhost-user port's name.") String name,
                 @Option(names = "--type", defaultValue = "netdev", paramLabel = "tap|netdev|vhost-user|vxlan",
                         description = "tap, netdev, vhost-user or vxlan (default: ${DEFAULT-VALUE}).") String type,
                 @Option(names = "--persistent", description = "tap only: keep the interface when the port goes.")
                 boolean persistent,
                 @Option(names = "--mode", paramLabel = "server|client", description = "vhost-user only: server "
                         + "(the default: switchd listens on the socket) or client (it connects to the VM's).")
                 String mode,
                 @Option(names = "--vni", paramLabel = "VNI", description = "vxlan only, and needed there: the "
                         + "VXLAN network identifier, 1 to 16777215.") Integer vni,
                 @Option(names = "--local", paramLabel = "IP", description = "vxlan only, and needed there: this "
                         + "host's address on the underlay.") String local,
                 @Option(names = "--remote", paramLabel = "IP", description = "vxlan only: a remote host's "
                         + "underlay address to flood to (repeat for more).") List<String> remotes,
                 @Option(names = "--dstport", paramLabel = "PORT", description = "vxlan only: the UDP port "
                         + "(default 4789).") Integer dstport,
                 @Option(names = "--device", paramLabel = "IFNAME", description = "vxlan only: the underlay "
                         + "interface (default: the one holding --local).") String device,
                 @Option(names = "--ttl", paramLabel = "TTL", description = "vxlan only: the outer packets' "
                         + "ttl, 1 to 255 (default: the kernel's).") Integer ttl,
                 @Option(names = "--tos", paramLabel = "TOS", description = "vxlan only: the outer packets' "
                         + "tos, 0 to 255, 1 to copy the inner packet's (default: the kernel's, 0).") Integer tos,
                 @Option(names = "--directory", paramLabel = "etcd", description = "vxlan only: take peers and "
                         + "MACs from the etcd directory (switchd.etcd in the config file).") String directory,
                 @Option(names = "--may-exist", description = "Succeed if the bridge has this port already, "
                         + "as ovs-vsctl's --may-exist add-port, leaving its settings and owner as they are.")
                 boolean mayExist,
                 @Option(names = "--owner", paramLabel = "NAME", description = "Who adds it (a hook's name), so "
                         + "that port del --owner NAME removes it and nothing else.") String owner) throws Exception {
            String socket = root.spec.commandLine().getParseResult().subcommand().subcommand()
                    .matchedOptionValue(VHOST_USER_SOCKET, null);
            new PortAttachment(root).add(new NewPort(name, type, persistent ? Boolean.TRUE : null, owner, socket, mode,
                    vni, local, remotes, dstport, device, ttl, tos, directory), bridge, mayExist);
        }

        @Command(name = "del", description = "Delete a port added at run time; a TAP interface switchd created goes "
                + "with it. A port the config file declares stays (remove it there and reload).")
        void del(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                 @Parameters(paramLabel = "IFNAME", description = "The port.") String name,
                 @Option(names = "--if-exists", description = "Succeed if the bridge has no such port, "
                         + "as ovs-vsctl's --if-exists del-port.") boolean ifExists,
                 @Option(names = "--owner", paramLabel = "NAME", description = "Delete it only if port add --owner "
                         + "NAME added it; otherwise leave it, say why on stderr, and succeed.") String owner)
                throws Exception {
            new PortAttachment(root).delete(bridge, name, owner, ifExists);
        }

        // one setting a line, each under 80 columns: picocli would wrap a longer line mid-setting
        @Command(name = "set", description = {"Change a port's settings, any of:",
            "  up | down",
            "  vlan-mode access|trunk|transparent",
            "  vlan N                    access port's VLAN, 1-4094",
            "  vlans LIST                trunk's tagged VLANs, such as 1,10-20",
            "  native-vlan N|none        trunk's untagged VLAN, 1-4094",
            "  learning on|off   flood on|off   locked on|off   isolated on|off",
            "  mac-limit N               most addresses learned, 0: no limit",
            "  storm-broadcast N   storm-multicast N   storm-unknown-unicast N",
            "                            frames per second, 0: no limit",
            "  storm-burst N             frames let through at once, 1 or more",
            "  stp-cost N|auto           spanning tree path cost, 1-200000000",
            "  stp-priority N            spanning tree port priority, 0-240 by 16",
            "  edge on|off|auto          an edge port (no switch behind it)",
            "  bpdu-guard on|off   root-guard on|off"})
        void set(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                 @Parameters(paramLabel = "IFNAME", description = "The port.") String name,
                 @Parameters(paramLabel = "SETTING", arity = "1..*", description = "Settings and their values, "
                         + "as listed above.") List<String> words) throws Exception {
            root.done(root.call("PATCH", "/bridges/" + enc(bridge) + "/ports/" + enc(name),
                    PortSetWords.parse(words, root.spec.commandLine())));
        }
    }

    @Command(name = "fdb", description = "Show and change MAC tables.", mixinStandardHelpOptions = true)
    static final class Fdb {
        /** Entries asked for per request: the daemon's most. */
        private static final int FDB_PAGE = 100_000;

        @ParentCommand
        Switchctl root;

        @Command(name = "show", description = "Show MAC table entries.")
        void show(@Parameters(paramLabel = "BR", arity = "0..1", description = "Only this bridge's entries.") String bridge,
                  @Option(names = "--port", paramLabel = "P", description = "Only the entries of port P.") String port,
                  @Option(names = "--vlan", paramLabel = "V", description = "Only the entries in VLAN V (0: untagged "
                          + "or transparent).") Integer vlan,
                  @Option(names = "--mac", paramLabel = "M", description = "Only the entries of MAC address M.") String mac) throws Exception {
            // the daemon answers a page at a time, so that a huge table never has to fit in one answer
            com.fasterxml.jackson.databind.node.ArrayNode entries = Json.mapper().createArrayNode();
            for (int offset = 0; ; offset += FDB_PAGE) {
                String q = query("port", port, "vlan", vlan == null ? null : vlan.toString(), "mac", mac,
                        "offset", Integer.toString(offset), "limit", Integer.toString(FDB_PAGE));
                JsonNode page = root.call("GET", (bridge == null ? "/fdb" : "/bridges/" + enc(bridge) + "/fdb") + q, null);
                entries.addAll((com.fasterxml.jackson.databind.node.ArrayNode) page);
                if (page.size() < FDB_PAGE) {
                    break;
                }
            }
            if (root.json) {
                root.printJson(entries);
                return;
            }
            // the REMOTE column (the host a MAC behind a vxlan port is on) only when some entry has one
            boolean remotes = false;
            for (JsonNode e : entries) {
                remotes |= e.has("remote");
            }
            Table t = remotes ? new Table("BRIDGE", "PORT", "VLAN", "MAC", "TYPE", "AGE", "REMOTE")
                    : new Table("BRIDGE", "PORT", "VLAN", "MAC", "TYPE", "AGE");
            for (JsonNode e : entries) {
                Object age = e.get("type").asText().equals("static") ? "-" : e.get("age").asLong();
                if (remotes) {
                    t.row(e.get("bridge").asText(), e.get("port").asText(), e.get("vlan").asInt(), e.get("mac").asText(),
                            e.get("type").asText(), age, e.path("remote").asText("-"));
                } else {
                    t.row(e.get("bridge").asText(), e.get("port").asText(), e.get("vlan").asInt(), e.get("mac").asText(),
                            e.get("type").asText(), age);
                }
            }
            t.print(System.out);
        }

        @Command(name = "add", description = "Add a static entry.")
        void add(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                 @Parameters(paramLabel = "MAC", description = "The unicast MAC address, such as 02:00:00:00:00:01.")
                 String mac,
                 @Option(names = "--port", required = true, paramLabel = "P", description = "The port it is behind.")
                 String port,
                 @Option(names = "--vlan", defaultValue = "0", paramLabel = "V", description = "Its VLAN (default: "
                         + "${DEFAULT-VALUE}, untagged or transparent).") int vlan) throws Exception {
            root.done(root.call("POST", "/bridges/" + enc(bridge) + "/fdb", new NewFdbEntry(mac, port, vlan)));
        }

        @Command(name = "del", description = "Delete an entry, learned or static.")
        void del(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                 @Parameters(paramLabel = "MAC", description = "The entry's MAC address.") String mac,
                 @Option(names = "--vlan", defaultValue = "0", paramLabel = "V", description = "The entry's VLAN "
                         + "(default: ${DEFAULT-VALUE}).") int vlan) throws Exception {
            root.done(root.call("DELETE", "/bridges/" + enc(bridge) + "/fdb/" + enc(mac) + "?vlan=" + vlan, null));
        }

        @Command(name = "flush", description = "Forget learned entries (static ones too with --static).")
        void flush(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
                   @Option(names = "--port", paramLabel = "P", description = "Only the entries of port P.") String port,
                   @Option(names = "--static", description = "Static entries too.") boolean all) throws Exception {
            JsonNode r = root.call("POST", "/bridges/" + enc(bridge) + "/fdb/flush", new FdbFlush(port, all));
            if (root.json) {
                root.printJson(r);
            } else {
                System.out.println("flushed " + r.get("removed").asInt() + " entr" + (r.get("removed").asInt() == 1 ? "y" : "ies"));
            }
        }
    }

    @Command(name = "stp", description = "Show the spanning trees.", mixinStandardHelpOptions = true)
    static final class Stp {
        @ParentCommand
        Switchctl root;

        @Command(name = "show", description = "Show each bridge's spanning tree: the root, this bridge, and each "
                + "port's role and state, as ovs-appctl rstp/show does.")
        void show(@Parameters(paramLabel = "BR", arity = "0..1", description = "Only this bridge's tree.") String bridge)
                throws Exception {
            JsonNode trees = root.call("GET", bridge == null ? "/stp" : "/bridges/" + enc(bridge) + "/stp", null);
            if (root.json) {
                root.printJson(trees);
                return;
            }
            StpText.print(trees, System.out);
        }
    }

    @Command(name = "stats", description = "Port counters: all, one bridge's, or one port's.", mixinStandardHelpOptions = true)
    static final class Stats implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Switchctl root;

        @Parameters(index = "0", arity = "0..1", paramLabel = "BR", description = "Only this bridge's ports.")
        String bridge;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PORT", description = "Only this port of BR.")
        String port;

        @Override
        public Integer call() throws Exception {
            String path = bridge == null ? "/stats" : "/bridges/" + enc(bridge) + "/stats" + query("port", port);
            JsonNode stats = root.call("GET", path, null);
            if (root.json) {
                root.printJson(stats);
                return 0;
            }
            Table t = new Table("BRIDGE", "PORT", "RX_FRAMES", "RX_BYTES", "TX_FRAMES", "TX_BYTES", "DROPPED");
            for (JsonNode s : stats) {
                StringJoiner drops = new StringJoiner(" ");
                long total = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = s.get("drops").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> d = it.next();
                    if (d.getValue().asLong() > 0) {
                        drops.add(d.getKey() + "=" + d.getValue().asLong());
                        total += d.getValue().asLong();
                    }
                }
                t.row(s.get("bridge").asText(), s.get("port").asText(), s.get("rx_frames").asLong(),
                        s.get("rx_bytes").asLong(), s.get("tx_frames").asLong(), s.get("tx_bytes").asLong(),
                        total == 0 ? "0" : total + " (" + drops + ")");
            }
            t.print(System.out);
            return 0;
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true, description = "Read the config file again and apply "
            + "what changed; what the API changed stays unless the config file changed the same thing. Prints what "
            + "changed; a bad config file changes nothing.")
    static final class Reload implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Switchctl root;

        @Override
        public Integer call() throws Exception {
            JsonNode s = root.call("POST", "/reload", null);
            if (root.json) {
                root.printJson(s);
                return 0;
            }
            for (JsonNode c : s.get("changes")) {
                ReloadChange change = Json.mapper().treeToValue(c, ReloadChange.class);
                System.out.println(change);
            }
            for (JsonNode c : s.get("conflicts")) {
                System.out.println("conflict: " + c.asText());
            }
            for (JsonNode r : s.get("needs_restart")) {
                System.out.println("needs a restart: " + r.asText());
            }
            int changes = s.get("changes").size();
            System.out.println((changes == 0 ? "nothing changed" : changes + " change(s)") + ", "
                    + s.get("unchanged_ports").asInt() + " port(s) untouched");
            return 0;
        }
    }
}

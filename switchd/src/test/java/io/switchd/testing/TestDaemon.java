package io.switchd.testing;

import io.switchd.Daemon;
import io.switchd.api.cli.Switchctl;
import io.switchd.api.client.SwitchdClient;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A daemon in this JVM with its control socket, state file and config in a temporary directory,
 * and metrics on an ephemeral loopback port.
 */
public final class TestDaemon implements AutoCloseable {
    private final Path dir;
    private final Path configFile;
    private final Daemon daemon;

    private TestDaemon(Path dir, Path configFile, Daemon daemon) {
        this.dir = dir;
        this.configFile = configFile;
        this.daemon = daemon;
    }

    /** Starts a daemon on {@code bridges} (HOCON for switchd.bridges) in {@code dir}; notifies {@code notify} if set. */
    public static TestDaemon start(Path dir, String bridges, String notify) throws Exception {
        Path config = dir.resolve("switchd.conf");
        if (!Files.exists(config)) {
            writeConfig(dir, bridges);
        }
        return new TestDaemon(dir, config, Daemon.start(config, notify));
    }

    /**
     * Writes the config file of a daemon in {@code dir} with {@code bridges}; the text of
     * {@code bridges} starts on line 6 of the file.
     */
    public static void writeConfig(Path dir, String bridges) throws java.io.IOException {
        Files.writeString(dir.resolve("switchd.conf"), "switchd {\n"
                + "  threads = 2\n"
                + "  control { socket = \"" + dir.resolve("switchd.sock") + "\", group = \"\" }\n"
                + "  metrics { listen = \"127.0.0.1:0\", fdb-entries-limit = 100 }\n"
                + "  state-file = \"" + dir.resolve("state.conf") + "\"\n"
                + "  bridges { " + bridges + " }\n"
                + "}\n");
    }

    /** Rewrites this daemon's config file with {@code bridges}, for a reload. */
    public void rewriteConfig(String bridges) throws java.io.IOException {
        writeConfig(dir, bridges);
    }

    /** The running daemon. */
    public Daemon daemon() {
        return daemon;
    }

    /** The control socket. */
    public Path socket() {
        return dir.resolve("switchd.sock");
    }

    /** The state file. */
    public Path stateFile() {
        return dir.resolve("state.conf");
    }

    /** A client of this daemon. */
    public SwitchdClient client() {
        return new SwitchdClient(socket());
    }

    /** A port as the API shows it, or null if the bridge has no such port. */
    public com.fasterxml.jackson.databind.JsonNode port(String bridge, String name) {
        try {
            return client().call("GET", "/v1/bridges/" + bridge + "/ports/" + name, null);
        } catch (io.switchd.api.client.ApiException e) {
            if (e.status() != 404) {
                throw new AssertionError(e.getMessage(), e);
            }
            return null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A bridge's spanning tree as `switchctl stp show BR -j` prints it. */
    public com.fasterxml.jackson.databind.JsonNode stpTree(String bridge) {
        CliResult r = switchctl("stp", "show", bridge, "-j");
        if (r.status() != 0) {
            throw new AssertionError("stp show " + bridge + ": " + r.err());
        }
        try {
            return io.switchd.api.Json.mapper().readTree(r.out()).get(0);
        } catch (java.io.IOException e) {
            throw new AssertionError("stp show " + bridge + ": " + r.out(), e);
        }
    }

    /** A port of a bridge's spanning tree as `switchctl stp show BR -j` prints it. */
    public com.fasterxml.jackson.databind.JsonNode stpPort(String bridge, String port) {
        com.fasterxml.jackson.databind.JsonNode tree = stpTree(bridge);
        for (com.fasterxml.jackson.databind.JsonNode p : tree.get("ports")) {
            if (p.get("name").asText().equals(port)) {
                return p;
            }
        }
        throw new AssertionError("no port " + port + " in " + tree);
    }

    /** A port's spanning tree state as the API shows it: discarding, learning or forwarding. */
    public String stpState(String bridge, String port) {
        return port(bridge, port).get("stp_state").asText();
    }

    /** Runs switchctl against this daemon; returns its exit status and what it printed. */
    public synchronized CliResult switchctl(String... args) {
        String[] full = new String[args.length + 2];
        full[0] = "-s";
        full[1] = socket().toString();
        System.arraycopy(args, 0, full, 2, args.length);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int status = Switchctl.run(full);
            return new CliResult(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** The config file the daemon was started from. */
    public Path configFile() {
        return configFile;
    }

    @Override
    public void close() {
        daemon.close();
    }

    /** What switchctl returned and printed. */
    public record CliResult(int status, String out, String err) {}
}

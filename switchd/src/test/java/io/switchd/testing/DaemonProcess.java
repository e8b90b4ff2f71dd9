package io.switchd.testing;

import io.switchd.api.client.SwitchdClient;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * switchd as its own process, started from this test's class path, for what a daemon in the test
 * JVM cannot show: a kill -9, a signal, the file modes a umask gives. Closing
 * stops it (SIGTERM, then SIGKILL); it ends only the process it started.
 */
public final class DaemonProcess implements AutoCloseable {
    private final Process process;
    private final SwitchdClient client;

    private DaemonProcess(Process process, SwitchdClient client) {
        this.process = process;
        this.client = client;
    }

    /** A daemon started as {@code switchd --config config}; its output goes to {@code log}. */
    public static Builder builder(Path config, Path socket, Path log) {
        return new Builder(config, socket, log);
    }

    /** The daemon's process id, for signals. */
    public long pid() {
        return process.pid();
    }

    /** A client of the daemon's control socket. */
    public SwitchdClient client() {
        return client;
    }

    /** Whether the process is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    /**
     * Reads sd_notify messages until one starts with {@code prefix} and returns it; fails if the
     * daemon exits first or none comes within {@code timeout}.
     */
    public String awaitNotify(NotifySocket notify, String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String m = notify.next(Duration.ofMillis(100));
            if (m != null) {
                seen.add(m);
                if (m.startsWith(prefix)) {
                    return m;
                }
            } else if (!process.isAlive()) {
                throw new AssertionError("switchd exited with " + process.exitValue() + "; notify messages: " + seen);
            }
        }
        throw new AssertionError("no " + prefix + " within " + timeout + "; notify messages: " + seen);
    }

    /** Waits until the daemon answers on its control socket, failing early if it exits. */
    public DaemonProcess awaitServing(Duration timeout) {
        Await.until(timeout, "the daemon serving its socket", () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the daemon exited with " + process.exitValue());
            }
            try {
                return client.exchange("GET", "/v1/health", new byte[0]).status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    /** Waits for the process to exit by itself and returns its exit status; fails if it runs past {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("switchd still running after " + timeout);
        }
        return process.exitValue();
    }

    /** Sends SIGTERM, as systemctl stop does, and returns the exit status. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Sends SIGKILL (no shutdown hook runs) and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the daemon survived SIGKILL for 10 s");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** How to start the daemon: notify socket and umask, both optional. */
    public static final class Builder {
        private final Path config;
        private final Path socket;
        private final Path log;
        private Path notifySocket;
        private String umask;
        private List<String> arguments;
        private boolean sighupIgnored;
        private String netns;

        private Builder(Path config, Path socket, Path log) {
            this.config = config;
            this.socket = socket;
            this.log = log;
        }

        /** Sets NOTIFY_SOCKET, as systemd does for a Type=notify service. */
        public Builder notifySocket(Path path) {
            this.notifySocket = path;
            return this;
        }

        /** Starts the daemon under this umask (octal, as the shell's umask takes it). */
        public Builder umask(String mask) {
            this.umask = mask;
            return this;
        }

        /** Runs switchd with {@code args} in place of {@code --config config}, for its command line's own mistakes. */
        public Builder arguments(String... args) {
            this.arguments = List.of(args);
            return this;
        }

        /** Starts the daemon inside network namespace {@code name} (ip netns exec, which execs: the PID is the JVM's). */
        public Builder netns(String name) {
            this.netns = name;
            return this;
        }

        /** Starts the daemon with SIGHUP ignored, as nohup does. */
        public Builder sighupIgnored() {
            this.sighupIgnored = true;
            return this;
        }

        /**
         * Starts the process; it is not serving yet (see {@link #awaitServing}). SIGHUP is set to
         * its default first, as systemd starts a service: a test run under nohup would otherwise
         * hand its ignored SIGHUP down to the daemon.
         */
        public DaemonProcess start() throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // the launcher's JVM options (collector, heap), so the daemon pauses as it does in use
            Path options = Path.of(System.getProperty("user.dir")).resolve("../bin/switchd.jvm-options").normalize();
            List<String> cmd = new ArrayList<>(List.of("env", sighupIgnored ? "--ignore-signal=HUP" : "--default-signal=HUP",
                    java, "@" + options, "-cp", System.getProperty("java.class.path"), "io.switchd.Main"));
            cmd.addAll(arguments != null ? arguments : List.of("--config", config.toString()));
            if (umask != null) {
                // sh sets the umask and execs: the JVM is still the process this object ends
                cmd.addAll(0, List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
            }
            if (netns != null) {
                cmd.addAll(0, List.of("ip", "netns", "exec", netns));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().remove("NOTIFY_SOCKET");
            if (notifySocket != null) {
                pb.environment().put("NOTIFY_SOCKET", notifySocket.toString());
            }
            return new DaemonProcess(pb.start(), new SwitchdClient(socket));
        }
    }
}

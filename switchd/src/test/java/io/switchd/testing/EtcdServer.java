package io.switchd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member (Debian's etcd-server) that a test starts on an address of its choice, with its
 * own data directory, optionally inside a namespace; it can be stopped and started again on the
 * same data, and is ended only by the PID it was started with.
 */
public final class EtcdServer implements AutoCloseable {
    private final Netns netns;
    private final String address;
    private final int clientPort;
    private final int peerPort;
    private final Path dataDir;
    private final Path log;
    private Process process;

    private EtcdServer(Netns netns, String address, int clientPort, int peerPort, Path dir) {
        this.netns = netns;
        this.address = address;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.dataDir = dir.resolve("etcd-data");
        this.log = dir.resolve("etcd.log");
    }

    /** Whether etcd is installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/etcd"));
    }

    /**
     * Starts etcd listening on {@code address} (inside {@code netns}, or here when null) with its
     * data under {@code dir}; on the root namespace's loopback the ports are random, so that runs
     * side by side do not meet.
     */
    public static EtcdServer start(Netns netns, String address, Path dir) throws IOException {
        int client = netns == null ? 20000 + ThreadLocalRandom.current().nextInt(20000) : 2379;
        EtcdServer s = new EtcdServer(netns, address, client, client + 1, dir);
        s.start();
        return s;
    }

    /** The client URL, as switchd's {@code endpoints} take it. */
    public String endpoint() {
        return "http://" + address + ":" + clientPort;
    }

    /** Starts the member (again, on the same data after {@link #stop}) and waits until it answers. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns.name()));
        }
        String peer = "http://127.0.0.1:" + peerPort;
        cmd.addAll(List.of("/usr/bin/etcd", "--name", "t", "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "t=" + peer, "--initial-cluster-state", "new"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Await.until(Duration.ofSeconds(20), "etcd answering at " + endpoint(), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("etcd exited with " + process.exitValue() + "; see " + log);
            }
            return etcdctl("endpoint", "health") == 0;
        });
    }

    /** Runs etcdctl against this member (in its namespace); returns its exit status. */
    public int etcdctl(String... args) {
        return Netns.status(etcdctlCommand(args));
    }

    /** Runs etcdctl against this member and returns its output; fails on a non-zero exit. */
    public String etcdctlOut(String... args) {
        return Netns.run(java.util.Map.of("ETCDCTL_API", "3"), etcdctlCommand(args));
    }

    private String[] etcdctlCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns.name()));
        }
        cmd.addAll(List.of("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoint(), "--dial-timeout", "2s",
                "--command-timeout", "3s"));
        cmd.addAll(List.of(args));
        return cmd.toArray(new String[0]);
    }

    /** Stops the member (SIGTERM, then SIGKILL), keeping its data for {@link #start}. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

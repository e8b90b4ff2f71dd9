package io.switchd.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * DPDK's testpmd as a vhost-user front-end (its virtio-user port, which is what a VM's virtio-net
 * would be, without a VM), driven through its interactive prompt (DESIGN-NOTES §5). Its standard
 * input stays open (without it testpmd stops), its output goes to a file in the test's directory.
 * {@link #close} kills it by its PID and removes what DPDK leaves behind: {@code /var/run/dpdk/PREFIX}
 * and, in server mode, the socket file (a killed virtio-user will not bind over it).
 */
public final class Testpmd implements AutoCloseable {
    /** Where Debian's dpdk package puts it. */
    public static final Path BINARY = Path.of("/usr/bin/dpdk-testpmd");
    private static final AtomicInteger STARTED = new AtomicInteger();
    private static final Pattern RX_PACKETS = Pattern.compile("RX-packets:\\s*(\\d+)");
    private static final Pattern TX_PACKETS = Pattern.compile("TX-packets:\\s*(\\d+)");

    private final Process process;
    private final OutputStream stdin;
    private final Path log;
    private final Path socket;
    private final boolean server;
    private final String prefix;

    private Testpmd(Process process, Path log, Path socket, boolean server, String prefix) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.log = log;
        this.socket = socket;
        this.server = server;
        this.prefix = prefix;
    }

    /** Whether testpmd is installed here. */
    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts testpmd with one virtio-user port on {@code socket} with {@code mac} ("02:00:00:00:00:01");
     * with {@code server} testpmd listens there (and waits at start-up until someone connects),
     * otherwise it connects to it. Its output goes to a file in {@code dir}.
     */
    public static Testpmd start(Path dir, Path socket, String mac, boolean server) throws IOException {
        String prefix = "switchd-test-" + ProcessHandle.current().pid() + "-" + STARTED.incrementAndGet();
        String vdev = "net_virtio_user0,path=" + socket + ",mac=" + mac + ",queues=1,queue_size=256"
                + (server ? ",server=1" : "");
        // stdbuf (it execs testpmd: the PID stays testpmd's): printf output into a file is otherwise
        // held in stdio's buffer, and a command's answer would not show until kilobytes later
        List<String> command = new ArrayList<>(List.of("stdbuf", "-o0", "-e0", BINARY.toString(), "--no-huge", "-m", "256", "--no-pci",
                "--no-shconf", "--file-prefix=" + prefix, "--lcores", "0@(0,1),1@(0,1)", "--vdev", vdev,
                "--", "-i", "--total-num-mbufs=4096"));
        Path log = Files.createTempFile(dir, "testpmd-", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Testpmd(p, log, socket, server, prefix);
    }

    /** testpmd's PID. */
    public long pid() {
        return process.pid();
    }

    /** Whether it is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Everything it has printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** Types one command at its prompt (e.g. "set fwd rxonly", "start", "stop"). */
    public void command(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    /** Waits until its output contains {@code text}, failing with the output after {@code timeout}. */
    public void awaitOutput(String text, Duration timeout) {
        Await.until(timeout, () -> "testpmd to print \"" + text + "\"; it printed:\n" + tail(), () -> output().contains(text));
    }

    /** Waits until it has configured its port and shows its prompt, ready for commands. */
    public void awaitPrompt(Duration timeout) {
        awaitOutput("testpmd> ", timeout);
    }

    /**
     * Port 0's statistics as "show port stats 0" prints them: {rx packets, tx packets}. Each call
     * asks anew and reads the answer that follows the question.
     */
    public long[] portStats(Duration timeout) throws IOException {
        int from = output().length();
        command("show port stats 0");
        long[] stats = new long[2];
        Await.until(timeout, () -> "testpmd's port statistics; it printed:\n" + tail(), () -> {
            String out = output();
            if (out.length() <= from) {
                return false;
            }
            String answer = out.substring(from);
            Matcher rx = RX_PACKETS.matcher(answer);
            Matcher tx = TX_PACKETS.matcher(answer);
            if (!rx.find() || !tx.find()) {
                return false;
            }
            stats[0] = Long.parseLong(rx.group(1));
            stats[1] = Long.parseLong(tx.group(1));
            return true;
        });
        return stats;
    }

    /** The last lines it printed, for failure messages. */
    public String tail() {
        String out = output();
        return out.length() > 3000 ? out.substring(out.length() - 3000) : out;
    }

    /** Kills it (SIGKILL, by its PID), waits for it to go and removes what it left behind. */
    public void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("testpmd " + pid() + " did not die within 10 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeLeftovers();
    }

    private void removeLeftovers() {
        Path run = Path.of("/var/run/dpdk", prefix);
        if (Files.exists(run)) {
            try (Stream<Path> walk = Files.walk(run)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a unique prefix is never reused
            }
        }
        if (server) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                // the test's directory goes with the test
            }
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // it is being killed anyway
        }
        kill();
    }
}

package io.switchd.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Linux guest in QEMU (bin/switchd-guest: Debian's kernel and busybox) with one virtio-net NIC,
 * driven over its serial console: {@link #run} sends a shell command and returns what it printed.
 * The NIC is a TAP interface (in a namespace) or a vhost-user socket. QEMU is this object's child
 * process, started with a unique name and ended by its PID in {@link #close()}.
 *
 * <p>Under TCG on a 2-core machine the guest is ready 7-9 s after QEMU starts, 12-20 s when a
 * busy-polling backend (testpmd) shares the CPUs; 16 MB over TCP takes 0.4-3.5 s. Deadlines here
 * are generous because the machine is shared.
 */
public final class QemuGuest implements AutoCloseable {
    /** How long a guest may take from QEMU's start to its ready line (TCG, a busy shared machine). */
    public static final Duration BOOT_DEADLINE = Duration.ofSeconds(120);
    private static final String READY = "SWITCHD-GUEST READY";
    private static final String FAILED = "SWITCHD-GUEST FAILED";
    /** Put on the line queue when QEMU's output ends. */
    private static final String EOF = "\u0000EOF";
    private static final AtomicInteger GUESTS = new AtomicInteger();
    private static volatile Path image;

    private final String name;
    private final Process qemu;
    private final Path dir;
    private final OutputStream serialIn;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();
    private final Thread reader;
    private int commands;
    private Duration bootTime;

    /** Where the guest's one NIC goes. */
    public sealed interface Nic permits Tap, VhostUser {}

    /** An existing TAP interface {@code name} in network namespace {@code netns}, QEMU running there. */
    public record Tap(String netns, String name) implements Nic {}

    /**
     * A vhost-user socket: the switch listens and QEMU connects (and reconnects), or with
     * {@code qemuListens} QEMU listens and the switch connects (its client mode). Either way the
     * backend comes first: QEMU 7.2 exits at once if the socket it is to connect to is not there yet
     * (reconnect=1 only covers later disconnects), and when it listens it does not run the guest until
     * the backend has connected (wait=off notwithstanding), so connect within {@link #BOOT_DEADLINE}.
     */
    public record VhostUser(Path socket, boolean qemuListens) implements Nic {}

    /** A command's exit status and output (stdout and stderr, lines joined with \n). */
    public record Result(int status, String output) {}

    private QemuGuest(String name, Process qemu, Path dir) {
        this.name = name;
        this.qemu = qemu;
        this.dir = dir;
        this.serialIn = qemu.getOutputStream();
        this.reader = new Thread(this::readConsole, "console-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The directory with the guest's kernel and initramfs, built once (bin/switchd-guest build, which
     * downloads ~70 MB of Debian packages the first time on a machine and reuses them afterwards).
     * If it cannot be built the test fails where namespace tests are {@link Netns#required()} (CI)
     * and is skipped elsewhere.
     */
    public static synchronized Path image() {
        if (image != null) {
            return image;
        }
        Path out = null;
        try {
            out = Files.createTempFile("switchd-guest-build", ".txt");
            Process p = new ProcessBuilder(script().toString(), "build").redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            String text = Files.readString(out);
            if (!done || p.exitValue() != 0) {
                String why = "cannot build the QEMU guest (bin/switchd-guest build): "
                        + (done ? "exit status " + p.exitValue() : "not done in 10 minutes") + "\n" + text.strip();
                if (Netns.required()) {
                    throw new AssertionError(why);
                }
                org.junit.jupiter.api.Assumptions.abort(why);
            }
            List<String> outLines = text.strip().lines().toList();
            image = Path.of(outLines.get(outLines.size() - 1));
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file left behind is not worth failing a test for
                }
            }
        }
    }

    /**
     * Starts a guest whose eth0 has {@code mac} and {@code ipCidr} (e.g. 192.0.2.21/24) on {@code nic},
     * and waits until it is ready for commands (eth0 up and addressed) or fails after
     * {@link #BOOT_DEADLINE}. QEMU is stopped again if the guest does not come up.
     */
    public static QemuGuest start(Nic nic, String mac, String ipCidr) {
        Path imageDir = image();
        String name = "switchd-guest-" + ProcessHandle.current().pid() + "-" + GUESTS.incrementAndGet();
        List<String> command = new ArrayList<>();
        String[] nicArgs;
        if (nic instanceof Tap tap) {
            // ip netns exec and the script both exec: QEMU keeps this child's PID.
            command.addAll(List.of("ip", "netns", "exec", tap.netns()));
            nicArgs = new String[] {"--tap", tap.name()};
        } else if (nic instanceof VhostUser vu) {
            nicArgs = new String[] {vu.qemuListens() ? "--vhost-user-server" : "--vhost-user", vu.socket().toString()};
        } else {
            throw new IllegalArgumentException(String.valueOf(nic));
        }
        command.addAll(List.of(script().toString(), "run", "--plain-serial", "--dir", imageDir.toString(),
                "--name", name, "--mac", mac, "--ip", ipCidr));
        command.addAll(List.of(nicArgs));
        QemuGuest guest = null;
        try {
            Path dir = Files.createTempDirectory(name);
            long started = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectError(dir.resolve("qemu-stderr.txt").toFile()).start();
            guest = new QemuGuest(name, p, dir);
            guest.awaitReady(started);
            return guest;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            if (guest != null) {
                guest.close();
            }
            throw e;
        }
    }

    /** This guest's unique name (QEMU's -name, the guest's hostname). */
    public String name() {
        return name;
    }

    /** QEMU's process id. */
    public long pid() {
        return qemu.pid();
    }

    /** How long the guest took from QEMU's start to being ready for commands. */
    public Duration bootTime() {
        return bootTime;
    }

    /** Everything the guest printed on its console so far, for failure messages. */
    public String console() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    /** Runs {@code command} with sh -c in the guest; returns its output, failing the test on a non-zero exit. */
    public String run(String command, Duration deadline) {
        Result r = exec(command, deadline);
        if (r.status() != 0) {
            throw new AssertionError("in guest " + name + ": `" + command + "` exited " + r.status() + ": " + r.output());
        }
        return r.output();
    }

    /**
     * Runs {@code command} (one line) with sh -c in the guest and returns its status and output; fails
     * the test if it does not finish within {@code deadline} (the guest is then unusable: close it).
     */
    public synchronized Result exec(String command, Duration deadline) {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("one line only: " + command);
        }
        int id = ++commands;
        try {
            serialIn.write(("CMD " + id + " " + command + "\n").getBytes(StandardCharsets.UTF_8));
            serialIn.flush();
        } catch (IOException e) {
            throw new AssertionError("guest " + name + " is gone: " + e + "\n" + diagnostics(), e);
        }
        String done = "DONE " + id + " ";
        List<String> output = new ArrayList<>();
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            String line = nextLine(end, "`" + command + "` to finish within " + deadline.toMillis() + " ms");
            if (line.startsWith(done)) {
                // The guest prints a newline before DONE so that DONE is a line of its own.
                if (!output.isEmpty() && output.get(output.size() - 1).isEmpty()) {
                    output.remove(output.size() - 1);
                }
                return new Result(Integer.parseInt(line.substring(done.length()).trim()), String.join("\n", output));
            }
            output.add(line);
        }
    }

    /**
     * The virtio feature bits the guest's eth0 driver negotiated with QEMU and the backend (bit n set
     * for VIRTIO_NET_F_* number n: 0 CSUM, 1 GUEST_CSUM, 7 GUEST_TSO4, 11 HOST_TSO4, 15 MRG_RXBUF, ...),
     * for asserting which offloads are on.
     */
    public BitSet virtioNetFeatures() {
        String bits = run("cat /sys/class/net/eth0/device/features", Duration.ofSeconds(30)).strip();
        BitSet features = new BitSet(bits.length());
        for (int i = 0; i < bits.length(); i++) {
            features.set(i, bits.charAt(i) == '1');
        }
        return features;
    }

    /** Powers the guest off: ends QEMU by its PID (SIGTERM, then SIGKILL), waits, removes its files. */
    @Override
    public void close() {
        try {
            serialIn.close();
        } catch (IOException ignored) {
            // QEMU may be gone already
        }
        qemu.destroy();
        try {
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // a temp dir left behind is not worth failing a test for
        }
    }

    private void awaitReady(long startedNanos) {
        long end = startedNanos + BOOT_DEADLINE.toNanos();
        while (true) {
            String line = nextLine(end, "the guest to boot within " + BOOT_DEADLINE.toSeconds() + " s");
            if (line.startsWith(READY)) {
                bootTime = Duration.ofNanos(System.nanoTime() - startedNanos);
                return;
            }
            if (line.startsWith(FAILED)) {
                throw new AssertionError("guest " + name + " did not come up: " + line + "\n" + diagnostics());
            }
        }
    }

    private String nextLine(long endNanos, String what) {
        try {
            String line = lines.poll(Math.max(0, endNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("timed out waiting for " + what + "\n" + diagnostics());
            }
            if (line == EOF) {
                lines.add(EOF); // every later wait fails at once too
                throw new AssertionError("QEMU's output ended while waiting for " + what + "\n" + diagnostics());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void readConsole() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.replace("\r", "");
                synchronized (transcript) {
                    transcript.append(line).append('\n');
                }
                lines.add(line);
            }
        } catch (IOException e) {
            // QEMU ended; EOF below tells the waiters
        } finally {
            lines.add(EOF);
        }
    }

    private String diagnostics() {
        String stderr;
        try {
            stderr = Files.readString(dir.resolve("qemu-stderr.txt"));
        } catch (IOException e) {
            stderr = e.toString();
        }
        String console = console();
        if (console.length() > 4000) {
            console = "..." + console.substring(console.length() - 4000);
        }
        return "guest " + name + " (QEMU pid " + qemu.pid() + (qemu.isAlive() ? ", running" : ", exited")
                + ") console:\n" + console + "QEMU stderr:\n" + stderr.strip();
    }

    private static Path script() {
        // Tests run in the switchd module; the script is in the checkout's bin/.
        return Path.of("..", "bin", "switchd-guest").toAbsolutePath().normalize();
    }
}

package io.switchd.testing;

import io.switchd.sys.Errno;
import io.switchd.sys.LibC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace that a test made (ip netns add) and removes. Code can run inside it on a
 * throw-away thread that setns(2)-es into it: sockets opened there stay in the namespace for
 * good, whichever thread uses them later.
 */
public final class Netns implements AutoCloseable {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates the namespace with loopback up and IPv6 off (no router solicitations as noise). */
    public static Netns create(String name) {
        run("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** The namespace's name. */
    public String name() {
        return name;
    }

    /** Runs a command inside the namespace and returns its output; fails the test on a non-zero exit. */
    public String exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(new String[0]));
    }

    /** Runs a command inside the namespace; returns its exit status. */
    public int execStatus(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return status(cmd.toArray(new String[0]));
    }

    /** Runs {@code task} on a thread inside this namespace. */
    public <T> T inside(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            int fd = LibC.open("/var/run/netns/" + name, O_RDONLY_CLOEXEC);
            try {
                Errno.check(fd, "open netns " + name);
                Errno.check(LibC.setns(fd, CLONE_NEWNET), "setns " + name);
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                if (fd >= 0) {
                    LibC.close(fd);
                }
            }
        }, "netns-" + name);
        t.start();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("in netns " + name + ": " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("in netns " + name + ": " + e, e);
        }
    }

    @Override
    public void close() {
        status("ip", "netns", "del", name);
    }

    /** Runs a command, failing the test with its output on a non-zero exit. */
    public static String run(String... command) {
        return run(java.util.Map.of(), command);
    }

    /** {@link #run(String...)} with {@code environment} added to the command's environment. */
    public static String run(java.util.Map<String, String> environment, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(environment);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command and returns its exit status, output discarded. */
    public static int status(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Whether this process can make namespaces, TAPs and veths: root, /dev/net/tun and iproute2. */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && new java.io.File("/dev/net/tun").exists()
                && status("ip", "-V") == 0;
    }

    /** Whether SWITCHD_REQUIRE_NETNS_TESTS is set, making unavailability a failure rather than a skip (CI). */
    public static boolean required() {
        return System.getenv("SWITCHD_REQUIRE_NETNS_TESTS") != null;
    }

    /**
     * Skips the calling test unless this process can make namespaces, TAPs and veths, saying it
     * {@code needs} them; where they are {@link #required()} (CI) the test goes on and fails instead.
     */
    public static void assumeAvailable(String needs) {
        if (!required()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(available(), needs);
        }
    }

    /** {@link #assumeAvailable(String)} for tests that also run {@code program} (QEMU): it must answer --version. */
    public static void assumeAvailable(String needs, String program) {
        if (!required()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(available() && status(program, "--version") == 0, needs);
        }
    }

    /** {@link #assumeAvailable(String)} for tests that need root, /dev/net/tun and iproute2. */
    public static void assumeAvailable() {
        assumeAvailable("needs root, /dev/net/tun and iproute2");
    }
}

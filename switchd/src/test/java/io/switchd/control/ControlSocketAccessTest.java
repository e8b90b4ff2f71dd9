package io.switchd.control;

import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.DaemonProcess;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only root and the configured group open the control socket. The daemon runs under umask 077
 * and creates the socket's directory itself; a client runs as the unprivileged user 65534 (made
 * with setpriv, no user is created), once without the group and once with it; then once more
 * without, with the directory opened to all, so that the socket's own mode is what refuses. A
 * group that does not exist leaves the socket to root, with a warning that says what to do.
 */
class ControlSocketAccessTest {
    private static final int NOBODY = 65534;
    private static final int REFUSED = 13;
    /** A client with nothing but the JDK, run as a source file: it must be readable by user 65534. */
    private static final String PROBE = """
            import java.io.IOException;
            import java.net.StandardProtocolFamily;
            import java.net.UnixDomainSocketAddress;
            import java.nio.ByteBuffer;
            import java.nio.channels.SocketChannel;
            import java.nio.charset.StandardCharsets;

            public class Probe {
                public static void main(String[] args) {
                    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        c.connect(UnixDomainSocketAddress.of(args[0]));
                        c.write(ByteBuffer.wrap("GET /v1/health HTTP/1.1\\r\\nHost: switchd\\r\\nConnection: close\\r\\n\\r\\n"
                                .getBytes(StandardCharsets.US_ASCII)));
                        ByteBuffer in = ByteBuffer.allocate(4096);
                        while (in.hasRemaining() && c.read(in) >= 0) {
                            // to the end of the answer
                        }
                        System.out.println(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).lines()
                                .findFirst().orElse("no answer"));
                    } catch (IOException e) {
                        System.out.println("refused: " + e.getMessage());
                        System.exit(13);
                    }
                }
            }
            """;

    @Test
    void onlyRootAndTheSocketsGroupGetIn(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable("needs root");
        assertEquals(0, Netns.status("setpriv", "--version"), "setpriv (util-linux) is needed");
        String[] group = otherGroup();
        // the test's own directory: anyone may pass through it to the one the daemon makes
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = dir.resolve("run").resolve("switchd.sock");
        Path config = dir.resolve("switchd.conf");
        Files.writeString(config, "switchd {\n control { socket = \"" + socket + "\", group = \"" + group[0] + "\" }\n"
                + " metrics.listen = \"\"\n state-file = \"\"\n bridges.br0.ports { }\n}\n");
        Path probe = dir.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));

        try (DaemonProcess daemon = DaemonProcess.builder(config, socket, dir.resolve("switchd.log")).umask("077").start()) {
            daemon.awaitServing(Duration.ofSeconds(30));
            PosixFileAttributes attrs = Files.readAttributes(socket, PosixFileAttributes.class);
            assertEquals("rw-rw----", PosixFilePermissions.toString(attrs.permissions()));
            assertEquals(group[0], attrs.group().getName());

            assertEquals(200, new SwitchdClient(socket).exchange("GET", "/v1/health", new byte[0]).status(), "root");
            Result outsider = probe(dir, socket, "--clear-groups");
            assertEquals(REFUSED, outsider.status(), "user " + NOBODY + " outside the group: " + outsider.out());
            assertTrue(outsider.out().contains("Permission denied"), "EACCES, not another failure: " + outsider.out());
            Result member = probe(dir, socket, "--groups=" + group[1]);
            assertEquals(0, member.status(), "user " + NOBODY + " in group " + group[0] + ": " + member.out());
            assertTrue(member.out().startsWith("HTTP/1.1 200"), member.out());

            // the socket's own mode refuses too, in a directory anyone may pass through
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Result passing = probe(dir, socket, "--clear-groups");
            assertEquals(REFUSED, passing.status(), "user " + NOBODY + " outside the group: " + passing.out());
        }
    }

    @Test
    void aGroupThatDoesNotExistLeavesTheSocketToRootAndTheWarningSaysWhatToDo(@TempDir Path dir) throws Exception {
        String group = "sw-nosuch-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        Path socket = dir.resolve("switchd.sock");
        Path config = dir.resolve("switchd.conf");
        Files.writeString(config, "switchd {\n control { socket = \"" + socket + "\", group = \"" + group + "\" }\n"
                + " metrics.listen = \"\"\n state-file = \"\"\n bridges.br0.ports { }\n}\n");
        Path log = dir.resolve("switchd.log");
        try (DaemonProcess daemon = DaemonProcess.builder(config, socket, log).start()) {
            daemon.awaitServing(Duration.ofSeconds(30));
            PosixFileAttributes attrs = Files.readAttributes(socket, PosixFileAttributes.class);
            assertEquals("rw-rw----", PosixFilePermissions.toString(attrs.permissions()));
            assertEquals(Files.readAttributes(config, PosixFileAttributes.class).group(), attrs.group(),
                    "the socket stays in the group the daemon runs as");
            String warning = Files.readString(log).lines().filter(l -> l.contains("control socket group")).findFirst()
                    .orElseThrow(() -> new AssertionError("no warning about the group in the log"));
            for (String part : new String[] {"group " + group + " does not exist", "only root can use " + socket,
                    "not installed as a service", "install.sh makes the group", "switchd.control.group", "\"\""}) {
                assertTrue(warning.contains(part), "'" + part + "' in: " + warning);
            }
        }
    }

    /** A group of this system that neither root nor user 65534 has as its own: name and id. */
    private static String[] otherGroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":");
            if (f.length >= 3 && !f[2].equals("0") && !f[2].equals(Integer.toString(NOBODY)) && f[2].matches("\\d+")) {
                return new String[] {f[0], f[2]};
            }
        }
        throw new AssertionError("no group in /etc/group to give the socket");
    }

    /** Runs the probe as user and group 65534 with {@code groups} (a setpriv option) as its supplementary groups. */
    private static Result probe(Path dir, Path socket, String groups) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, groups,
                java, "-XX:-UsePerfData", dir.resolve("Probe.java").toString(), socket.toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    private record Result(int status, String out) {}
}

package io.switchd.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The checkout's hook scripts (systemd/) run as QEMU and libvirt run them: as processes, in an
 * environment that makes their switchctl this build's (a wrapper over the test class path, written
 * into the test's directory) and their control socket a test daemon's.
 */
public final class Scripts {
    private final Path dir;
    private final Map<String, String> environment;

    private Scripts(Path dir, Map<String, String> environment) {
        this.dir = dir;
        this.environment = environment;
    }

    /** Scripts that reach the daemon listening on {@code socket}, bridge br0; {@code dir} holds the wrapper. */
    public static Scripts forDaemon(Path dir, Path socket) throws IOException {
        Path wrapper = dir.resolve("switchctl");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(wrapper, "#!/bin/sh\nexec '" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '"
                + System.getProperty("java.class.path") + "' io.switchd.api.cli.Switchctl \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Scripts(dir, Map.of("SWITCHCTL", wrapper.toString(), "SWITCHD_SOCKET", socket.toString(),
                "SWITCHD_BRIDGE", "br0"));
    }

    /** The absolute path of {@code systemd/name} in this checkout. */
    public static Path script(String name) {
        return Path.of("..", "systemd", name).toAbsolutePath().normalize();
    }

    /** What QEMU or libvirt would pass down to a script: SWITCHCTL, SWITCHD_SOCKET, SWITCHD_BRIDGE. */
    public Map<String, String> environment() {
        return environment;
    }

    /** Runs {@code command} in that environment with {@code stdin} as its input; fails the test after 120 s. */
    public Result run(String stdin, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the script need not read its input
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A script's exit status and what it printed. */
    public record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit status " + status + ", stdout: " + out.strip() + ", stderr: " + err.strip();
        }
    }
}

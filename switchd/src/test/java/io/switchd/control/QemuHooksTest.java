package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import io.switchd.testing.Scripts;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A VM as QEMU runs it, with systemd/switchd-ifup and switchd-ifdown as its script= and
 * downscript=: QEMU makes the tap, runs the up script, and at quit runs the down script and
 * deletes the tap. A port the config file declares keeps its settings through VM restarts,
 * reloads and a daemon restart (absent while the VM is off); a port the up script added goes with
 * the down script.
 */
class QemuHooksTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void aVmRestartKeepsThePortTheConfigFileDeclaresWithItsVlan(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable("needs root, /dev/net/tun, iproute2 and qemu-system-x86_64 (Debian: qemu-system-x86)",
                "qemu-system-x86_64");
        String tap = "vm" + id + "a";
        String bridges = "br0 { ports { " + tap + " { type = netdev, vlan-mode = access, vlan = 10 } } }";
        TestDaemon daemon = TestDaemon.start(dir, bridges, null);
        try {
            Scripts scripts = Scripts.forDaemon(dir, daemon.socket());
            for (int start = 1; start <= 2; start++) {
                try (Qemu vm = Qemu.start(dir, tap, scripts)) {
                    awaitState(daemon, vm, tap, "up", true);
                    assertAccess10(daemon, tap, "VM start " + start);
                }
                awaitState(daemon, null, tap, "absent", true);
                assertAccess10(daemon, tap, "while the VM is off after start " + start);
            }
            TestDaemon.CliResult reload = daemon.switchctl("reload");
            assertEquals(0, reload.status(), reload.err());
            assertAccess10(daemon, tap, "after a reload");

            daemon.close();
            daemon = TestDaemon.start(dir, bridges, null);
            assertAccess10(daemon, tap, "after a daemon restart");
            try (Qemu vm = Qemu.start(dir, tap, scripts)) {
                awaitState(daemon, vm, tap, "up", true);
                assertAccess10(daemon, tap, "VM start after the daemon restart");
            }
            JsonNode port = daemon.port("br0", tap);
            assertEquals("config", port.path("origin").asText(), port.toString());
            assertTrue(port.path("overrides").isArray() && port.path("overrides").isEmpty(), port.toString());
        } finally {
            daemon.close();
        }
    }

    @Test
    void aPortTheUpScriptAddedGoesWithTheDownScript(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable("needs root, /dev/net/tun, iproute2 and qemu-system-x86_64 (Debian: qemu-system-x86)",
                "qemu-system-x86_64");
        String tap = "vm" + id + "b";
        try (TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { } }", null)) {
            Scripts scripts = Scripts.forDaemon(dir, daemon.socket());
            try (Qemu vm = Qemu.start(dir, tap, scripts)) {
                awaitState(daemon, vm, tap, "up", false);
                JsonNode port = daemon.port("br0", tap);
                assertEquals("api", port.path("origin").asText(), port.toString());
                assertEquals("switchd-ifup", port.path("owner").asText(), port.toString());
            }
            Await.until(WAIT, "the down script deleting the port it added", () -> daemon.port("br0", tap) == null);
        }
    }

    private static void assertAccess10(TestDaemon daemon, String tap, String when) {
        JsonNode port = daemon.port("br0", tap);
        assertTrue(port != null, "port " + tap + " is gone " + when);
        assertEquals("access", port.path("vlan_mode").asText(), when + ": " + port);
        assertEquals(10, port.path("vlan").asInt(), when + ": " + port);
    }

    /** Waits for the port to be in {@code state}; one the config file declares ({@code kept}) must never go. */
    private static void awaitState(TestDaemon daemon, Qemu vm, String tap, String state, boolean kept) {
        Await.until(WAIT, "port " + tap + " " + state, () -> {
            if (vm != null && !vm.process.isAlive()) {
                throw new AssertionError("QEMU exited with " + vm.process.exitValue() + ": " + vm.log());
            }
            JsonNode p = daemon.port("br0", tap);
            if (p == null && kept) {
                throw new AssertionError("port " + tap + " is gone, waiting for it to be " + state);
            }
            return p != null && p.path("state").asText().equals(state);
        });
    }


    /** A diskless VM with one virtio NIC on a tap QEMU makes; closing quits it through its monitor. */
    private static final class Qemu implements AutoCloseable {
        private final Process process;
        private final Path log;

        private Qemu(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Qemu start(Path dir, String tap, Scripts scripts) throws IOException {
            Path log = Files.createTempFile(dir, "qemu", ".log");
            // -S: the CPU never runs (nothing to boot); the NIC, its tap and the scripts are all there is
            ProcessBuilder pb = new ProcessBuilder("qemu-system-x86_64", "-nodefaults", "-display", "none",
                    "-machine", "accel=tcg", "-S", "-monitor", "stdio",
                    "-netdev", "tap,id=n0,ifname=" + tap + ",script=" + Scripts.script("switchd-ifup")
                            + ",downscript=" + Scripts.script("switchd-ifdown"),
                    "-device", "virtio-net-pci,netdev=n0,romfile=")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(scripts.environment());
            return new Qemu(pb.start(), log);
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public void close() throws Exception {
            try (OutputStream monitor = process.getOutputStream()) {
                monitor.write("quit\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // QEMU is gone already
            }
            // QEMU runs the down script (a JVM) before it exits
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("QEMU did not quit within 120 s: " + log());
            }
            assertEquals(0, process.exitValue(), "QEMU's exit status; its output: " + log());
        }
    }
}

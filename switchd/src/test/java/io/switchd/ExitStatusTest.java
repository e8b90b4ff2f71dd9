package io.switchd;

import io.switchd.testing.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** switchd's exit statuses, from a process of its own: what --help lists is what a usage mistake and SIGTERM give. */
class ExitStatusTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "switchd {0}")
    @CsvSource(delimiter = '|', value = {
        "--bogus                       | Unknown option: '--bogus'",
        "--config                      | Missing required parameter for option '--config'",
        "''                            | --config FILE is needed",
        "--check                       | --config FILE is needed",
        "--config switchd.conf --nope  | Unknown option: '--nope'",
    })
    void aUsageMistakeExits2AndPointsToTheHelp(String args, String message, @TempDir Path dir) throws Exception {
        Path log = dir.resolve("switchd.log");
        DaemonProcess p = DaemonProcess.builder(dir.resolve("switchd.conf"), dir.resolve("s.sock"), log)
                .arguments(args.isBlank() ? new String[0] : args.trim().split(" +")).start();
        assertEquals(2, p.awaitExit(WAIT), Files.readString(log));
        assertEquals("switchd: " + message + (message.endsWith("'--config'") ? " (FILE)" : "") + "\n"
                + "Try 'switchd --help' for more information.\n", Files.readString(log));
    }

    @Test
    void sigtermStopsWithTheStatusTheHelpAndTheUnitDocument(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("switchd.log");
        DaemonProcess help = DaemonProcess.builder(dir.resolve("switchd.conf"), dir.resolve("s.sock"), log)
                .arguments("--help").start();
        assertEquals(0, help.awaitExit(WAIT));
        assertTrue(Files.readString(log).contains("\n  143   stopped by SIGTERM"), Files.readString(log));
        assertTrue(Files.readString(Path.of("..", "systemd", "switchd.service")).contains("\nSuccessExitStatus=143\n"),
                "the unit counts 143 as a clean stop");

        Files.writeString(dir.resolve("switchd.conf"), "switchd {\n"
                + " control { socket = \"" + dir.resolve("s.sock") + "\", group = \"\" }\n"
                + " metrics.listen = \"\"\n"
                + " bridges { br0 {} }\n"
                + "}\n");
        try (DaemonProcess p = DaemonProcess.builder(dir.resolve("switchd.conf"), dir.resolve("s.sock"), log).start()) {
            p.awaitServing(WAIT);
            assertEquals(143, p.terminate(WAIT), "SIGTERM's status, as --help lists it");
        }
    }
}

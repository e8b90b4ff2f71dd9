package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.Await;
import io.switchd.testing.Netns;
import io.switchd.testing.NotifySocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGHUP to a running switchd: the config file is read again, systemd hears RELOADING=1 then READY=1. */
class ReloadSignalTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void sighupReloadsAndABadConfigFileLeavesTheSwitchAsItWas(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("switchd.conf");
        writeConfig(dir, "br0 {}");
        SwitchdClient client = new SwitchdClient(dir.resolve("s.sock"));
        Path log = dir.resolve("switchd.log");
        try (NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.switchd.Main",
                    "--config", config.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("NOTIFY_SOCKET", notify.path().toString());
            Process p = pb.start();
            try {
                awaitMessage(notify, p, "READY=1");

                writeConfig(dir, "br0 {}, br1 { ageing-time = 10s }");
                hangUp(p);
                assertTrue(awaitMessage(notify, p, "RELOADING=1").contains("\nMONOTONIC_USEC="));
                assertTrue(awaitMessage(notify, p, "READY=1").contains("STATUS=forwarding: 2 bridge(s)"));
                assertEquals(List.of("br0", "br1"), bridges(client));
                Await.until(WAIT, "the reload logged", () -> read(log).contains("reload: added bridge br1"));

                writeConfig(dir, "br0 { ageing-tme = 10s }");
                hangUp(p);
                awaitMessage(notify, p, "RELOADING=1");
                awaitMessage(notify, p, "READY=1");
                Await.until(WAIT, "the refusal logged", () -> read(log).contains("reload refused: bad configuration: "
                        + config + ":5: switchd.bridges.br0.ageing-tme: unknown key"));
                assertTrue(p.isAlive(), "a bad config file does not stop switchd");
                assertEquals(List.of("br0", "br1"), bridges(client));
            } finally {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static void writeConfig(Path dir, String bridges) throws Exception {
        Files.writeString(dir.resolve("switchd.conf"), "switchd {\n"
                + " control { socket = \"" + dir.resolve("s.sock") + "\", group = \"\" }\n"
                + " metrics.listen = \"\"\n"
                + " state-file = \"" + dir.resolve("state.conf") + "\"\n"
                + " bridges { " + bridges + " }\n"
                + "}\n");
    }

    private static void hangUp(Process p) {
        assertEquals(0, Netns.status("kill", "-HUP", Long.toString(p.pid())));
    }

    /** Reads notify messages until one starts with {@code prefix}, which it returns. */
    private static String awaitMessage(NotifySocket notify, Process p, String prefix) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String m = notify.next(Duration.ofMillis(100));
            if (m != null) {
                seen.add(m);
                if (m.startsWith(prefix)) {
                    return m;
                }
            } else if (!p.isAlive()) {
                throw new AssertionError("switchd exited with " + p.exitValue() + "; notify messages: " + seen);
            }
        }
        throw new AssertionError("no " + prefix + " within " + WAIT + "; notify messages: " + seen);
    }

    private static List<String> bridges(SwitchdClient client) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode b : client.call("GET", "/v1/bridges", null)) {
            out.add(b.get("name").asText());
        }
        return out;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}

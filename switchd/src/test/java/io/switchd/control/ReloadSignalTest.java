package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.Daemon;
import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.Await;
import io.switchd.testing.DaemonProcess;
import io.switchd.testing.Netns;
import io.switchd.testing.NotifySocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
            DaemonProcess p = DaemonProcess.builder(config, dir.resolve("s.sock"), log).notifySocket(notify.path()).start();
            try {
                p.awaitNotify(notify, "READY=1", WAIT);

                writeConfig(dir, "br0 {}, br1 { ageing-time = 10s }");
                hangUp(p);
                assertTrue(p.awaitNotify(notify, "RELOADING=1", WAIT).contains("\nMONOTONIC_USEC="));
                assertTrue(p.awaitNotify(notify, "READY=1", WAIT).contains("STATUS=forwarding: 2 bridge(s)"));
                assertEquals(List.of("br0", "br1"), bridges(client));
                Await.until(WAIT, "the reload logged", () -> read(log).contains("reload: added bridge br1"));

                writeConfig(dir, "br0 { ageing-tme = 10s }");
                hangUp(p);
                p.awaitNotify(notify, "RELOADING=1", WAIT);
                p.awaitNotify(notify, "READY=1", WAIT);
                Await.until(WAIT, "the refusal logged", () -> read(log).contains("reload refused: bad configuration: "
                        + config + ":5: switchd.bridges.br0.ageing-tme: unknown key"));
                assertTrue(p.alive(), "a bad config file does not stop switchd");
                assertEquals(List.of("br0", "br1"), bridges(client));
            } finally {
                p.close();
            }
        }
    }

    /** Started with SIGHUP ignored (nohup), switchd cannot reload on it, and says so rather than ignoring it silently. */
    @Test
    void aSwitchdStartedWithSighupIgnoredSaysItCannotReloadOnIt(@TempDir Path dir) throws Exception {
        writeConfig(dir, "br0 {}");
        Path log = dir.resolve("switchd.log");
        try (DaemonProcess p = DaemonProcess.builder(dir.resolve("switchd.conf"), dir.resolve("s.sock"), log)
                .sighupIgnored().start().awaitServing(WAIT)) {
            assertTrue(read(log).contains("SIGHUP was ignored when switchd started (nohup?) and stays ignored: "
                    + "reload with switchctl reload"), read(log));
        }
    }

    /**
     * systemd may send SIGHUP the moment it hears READY=1: by then the daemon must be where the
     * handler looks for it, or the reload is ignored as one that came while starting.
     */
    @Test
    void theSighupHandlerHasTheDaemonBeforeReadyIsSent(@TempDir Path dir) throws Exception {
        writeConfig(dir, "br0 {}");
        try (NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            List<String> sentBeforeHandOver = new ArrayList<>();
            try (Daemon daemon = Daemon.start(dir.resolve("switchd.conf"), notify.path().toString(), started -> {
                for (String m = notify.next(Duration.ZERO); m != null; m = notify.next(Duration.ZERO)) {
                    sentBeforeHandOver.add(m);
                }
            })) {
                assertTrue(sentBeforeHandOver.stream().noneMatch(m -> m.startsWith("READY=1")), sentBeforeHandOver.toString());
                String next = notify.next(WAIT);
                assertTrue(next != null && next.startsWith("READY=1"), "after the hand-over: " + next);
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

    private static void hangUp(DaemonProcess p) {
        assertEquals(0, Netns.status("kill", "-HUP", Long.toString(p.pid())));
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

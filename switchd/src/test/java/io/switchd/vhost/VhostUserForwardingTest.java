package io.switchd.vhost;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import io.switchd.testing.Testpmd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DPDK's testpmd, a virtio-user frontend no one here wrote, on a vhost-user port of switchd, and a
 * host in a namespace on a veth: the port comes up when testpmd has set up its queues, the host's
 * frames reach testpmd's receive queue (counted by testpmd), testpmd's frames reach the host and
 * teach switchd where testpmd is, and the port is absent again when testpmd goes; with the loops
 * sleeping in epoll (the guest kicks) and busy polling (the loop polls the guest's ring).
 */
class VhostUserForwardingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long HOST = 0x0200_00e1_0001L;
    private static final long GUEST = 0x0200_00e1_0002L;
    private static final String GUEST_TEXT = "02:00:00:e1:00:02";
    private static final String HOST_TEXT = "02:00:00:e1:00:01";

    @ParameterizedTest(name = "busy-poll {0}")
    @ValueSource(booleans = {false, true})
    void framesCrossBetweenAHostAndTestpmdThroughAVhostUserPort(boolean busyPoll, @TempDir Path dir) throws Exception {
        Netns.assumeAvailable("needs root and DPDK's testpmd", Testpmd.BINARY.toString());
        String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
        String link = "zv" + tag;
        Path socket = dir.resolve("vm1.sock");
        try (Netns ns = Netns.create("vh" + tag)) {
            Netns.run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
            Netns.run("ip", "link", "set", link, "up");
            // no IPv6: the host sends nothing but the test's frames, so counts can be exact
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            ns.exec("ip", "link", "set", "eth0", "address", HOST_TEXT, "up");
            String bridges = "br0 { ports { " + link + " {}, vm1 { type = vhost-user, socket = \"" + socket + "\" } } }";
            if (busyPoll) {
                // one loop that polls the guest's ring and never sleeps, having asked the guest not to kick
                TestDaemon.writeConfig(dir, bridges);
                Path config = dir.resolve("switchd.conf");
                Files.writeString(config, Files.readString(config).replace("threads = 2", "threads = 1\n  busy-poll = true"));
            }
            try (TestDaemon d = TestDaemon.start(dir, bridges, null)) {
                assertEquals("absent", d.port("br0", "vm1").get("state").asText(), "no frontend yet");
                try (Testpmd pmd = Testpmd.start(dir, socket, GUEST_TEXT, false);
                     RawSocket host = RawSocket.openForTestAndIpv4Frames(ns, "eth0")) {
                    pmd.awaitPrompt(WAIT);
                    Await.until(WAIT, () -> "vm1 up; it is " + d.port("br0", "vm1"),
                            () -> d.port("br0", "vm1").get("state").asText().equals("up"));
                    JsonNode port = d.port("br0", "vm1");
                    List<String> features = new ArrayList<>();
                    port.get("features").forEach(f -> features.add(f.asText()));
                    assertTrue(features.contains("version_1") && features.contains("mrg_rxbuf"), port.toString());
                    assertEquals(socket.toString(), port.get("socket").asText());
                    assertEquals("server", port.get("mode").asText());

                    // host -> testpmd: flooded (testpmd's address is not known yet), counted by testpmd
                    pmd.command("set fwd rxonly");
                    pmd.command("start");
                    long before = stats(pmd)[0];
                    for (int i = 0; i < 100; i++) {
                        host.send(Frames.frame(GUEST, HOST, Frames.token()));
                    }
                    Await.until(WAIT, () -> "100 frames at testpmd; " + pmd.tail(), () -> stats(pmd)[0] - before >= 100);
                    assertEquals(100, stats(pmd)[0] - before, "each frame once");
                    pmd.command("stop");

                    // testpmd -> host: its frames arrive, and switchd learns where testpmd is
                    pmd.command("set eth-peer 0 " + HOST_TEXT);
                    pmd.command("set fwd txonly");
                    pmd.command("start");
                    int[] fromGuest = {0};
                    Await.until(WAIT, () -> fromGuest[0] + " of 50 frames from testpmd at the host", () -> {
                        byte[] f;
                        // testpmd sends as fast as it can: stop reading at 50, the socket never runs dry
                        while (fromGuest[0] < 50 && (f = host.take()) != null) {
                            if (source(f) == GUEST) {
                                fromGuest[0]++;
                            }
                        }
                        return fromGuest[0] >= 50;
                    });
                    pmd.command("stop");
                    String fdb = d.switchctl("fdb", "show", "br0").out();
                    assertTrue(fdb.lines().anyMatch(l -> l.contains(GUEST_TEXT) && l.contains("vm1")), fdb);

                    // host -> testpmd again: now unicast to where it was learned
                    pmd.command("set fwd rxonly");
                    pmd.command("start");
                    long before2 = stats(pmd)[0];
                    for (int i = 0; i < 100; i++) {
                        host.send(Frames.frame(GUEST, HOST, Frames.token()));
                    }
                    Await.until(WAIT, () -> "100 more frames at testpmd; " + pmd.tail(), () -> stats(pmd)[0] - before2 >= 100);

                    pmd.kill();
                    Await.until(WAIT, () -> "vm1 absent once testpmd is gone; it is " + d.port("br0", "vm1"),
                            () -> d.port("br0", "vm1").get("state").asText().equals("absent"));
                    String after = d.switchctl("fdb", "show", "br0").out();
                    assertTrue(after.lines().noneMatch(l -> l.contains(GUEST_TEXT)), "testpmd's address forgotten: " + after);
                }
            }
        }
    }

    private static long[] stats(Testpmd pmd) {
        try {
            return pmd.portStats(WAIT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long source(byte[] frame) {
        long mac = 0;
        for (int i = 6; i < 12; i++) {
            mac = mac << 8 | (frame[i] & 0xFF);
        }
        return mac;
    }
}

package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.testing.Netns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A switch forwards however its loops wait for frames: sleeping at once, spinning a while after
 * each frame, or busy polling. Pings 200 ms apart find a loop that spins for 500 us asleep; pings
 * 2 ms apart find it still polling, and must all come back well inside a 1 s spin: a loop that
 * spins without handling what it polls would hold them until its window ran out.
 */
class LoopWaitingTest {
    @ParameterizedTest
    @ValueSource(strings = {"spin-before-sleep = 0", "spin-before-sleep = 500us", "threads = 1, spin-before-sleep = 1s",
            "threads = 1, busy-poll = true"})
    void theSwitchForwards(String waiting) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        List<Netns> namespaces = new ArrayList<>();
        try (Switchd s = Switchd.start(ConfigLoader.parse("switchd { " + waiting + ", bridges.br0.ports { sw"
                + id + "p1 { type = tap }, sw" + id + "p2 { type = tap } } }", "LoopWaitingTest"))) {
            for (int n = 1; n <= 2; n++) {
                Netns ns = Netns.create("switchd-test-" + id + "-b" + n);
                namespaces.add(ns);
                String tap = "sw" + id + "p" + n;
                Netns.run("ip", "link", "set", tap, "netns", ns.name());
                ns.exec("ip", "addr", "add", "10.80.0." + n + "/24", "dev", tap);
                ns.exec("ip", "link", "set", tap, "up");
            }
            assertEquals(0, namespaces.get(0).execStatus("ping", "-c", "3", "-i", "0.2", "-w", "10", "10.80.0.2"),
                    "pings far apart through a switch with " + waiting);
            assertEquals(0, namespaces.get(0).execStatus("ping", "-c", "50", "-i", "0.002", "-w", "2", "10.80.0.2"),
                    "pings close together through a switch with " + waiting);
        } finally {
            namespaces.forEach(Netns::close);
        }
    }
}

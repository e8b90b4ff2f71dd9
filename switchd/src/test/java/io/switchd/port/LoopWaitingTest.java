package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A switch whose loop busy-polls forwards like one that sleeps. */
class BusyPollTest {
    @Test
    void aBusyPollingLoopForwards() throws Exception {
        if (!Netns.required()) {
            assumeTrue(Netns.available(), "needs root, /dev/net/tun and iproute2");
        }
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        List<Netns> namespaces = new ArrayList<>();
        try (Switchd s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, busy-poll = true, bridges.br0.ports { sw"
                + id + "p1 { type = tap }, sw" + id + "p2 { type = tap } } }", "BusyPollTest"))) {
            for (int n = 1; n <= 2; n++) {
                Netns ns = Netns.create("switchd-test-" + id + "-b" + n);
                namespaces.add(ns);
                String tap = "sw" + id + "p" + n;
                Netns.run("ip", "link", "set", tap, "netns", ns.name());
                ns.exec("ip", "addr", "add", "10.80.0." + n + "/24", "dev", tap);
                ns.exec("ip", "link", "set", tap, "up");
            }
            assertEquals(0, namespaces.get(0).execStatus("ping", "-c", "3", "-i", "0.2", "-w", "10", "10.80.0.2"),
                    "ping through a busy-polling switch");
        } finally {
            namespaces.forEach(Netns::close);
        }
    }
}

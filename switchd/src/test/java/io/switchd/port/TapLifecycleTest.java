package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.SwitchdConfig;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TAP ports: created and removed, kept when persistent, attached to an existing persistent TAP,
 * single-queue or multi-queue.
 */
class TapLifecycleTest {
    @Test
    void tapsSwitchdCreatesGoWithItUnlessPersistentAndExistingOnesStay() throws ConfigError {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String existing = "sw" + id + "e";
        String persistent = "sw" + id + "p";
        String plain = "sw" + id + "c";
        String multiQueue = "sw" + id + "m";
        String[] all = {existing, persistent, plain, multiQueue};
        try {
            Netns.run("ip", "tuntap", "add", "dev", existing, "mode", "tap");
            Netns.run("ip", "tuntap", "add", "dev", multiQueue, "mode", "tap", "multi_queue");
            SwitchdConfig config = ConfigLoader.parse("switchd.bridges.br0.ports { " + existing + " { type = tap }, "
                    + persistent + " { type = tap, persistent = true }, " + plain + " { type = tap }, "
                    + multiQueue + " { type = tap } }", "test");
            Switchd s = Switchd.start(config);
            try {
                for (String name : all) {
                    assertEquals(PortState.UP, s.bridge("br0").port(name).state(), name);
                    assertTrue(Interfaces.exists(name), name + " exists");
                }
                assertFalse(((TapPort) s.bridge("br0").port(existing)).created(), "attached, not created");
                assertTrue(((TapPort) s.bridge("br0").port(plain)).created());
                assertTrue(Netns.run("ip", "link", "show", plain).contains(",UP"), "switchd sets its taps up");
                assertTrue(Netns.run("ip", "-d", "link", "show", multiQueue).contains("numqueues 1"),
                        "switchd holds a queue of the multi-queue tap");
            } finally {
                s.close();
            }
            assertTrue(Interfaces.exists(existing), "an existing persistent tap outlives switchd");
            assertTrue(Interfaces.exists(persistent), "a persistent = true tap outlives switchd");
            assertFalse(Interfaces.exists(plain), "a tap switchd created is removed when it stops");
            assertTrue(Netns.run("ip", "-d", "link", "show", multiQueue).contains("numqueues 0"),
                    "an existing multi-queue tap outlives switchd, its queue closed");
        } finally {
            for (String name : all) {
                if (Interfaces.exists(name)) {
                    // not "ip tuntap del": it fails on a multi-queue tap unless told multi_queue
                    Netns.status("ip", "link", "del", name);
                }
            }
        }
    }
}

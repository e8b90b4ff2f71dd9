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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TAP ports: created and removed, kept when persistent, attached to an existing persistent TAP. */
class TapLifecycleTest {
    @Test
    void tapsSwitchdCreatesGoWithItUnlessPersistentAndExistingOnesStay() throws ConfigError {
        if (!Netns.required()) {
            assumeTrue(Netns.available(), "needs root, /dev/net/tun and iproute2");
        }
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String existing = "sw" + id + "e";
        String persistent = "sw" + id + "p";
        String plain = "sw" + id + "c";
        try {
            Netns.run("ip", "tuntap", "add", "dev", existing, "mode", "tap");
            SwitchdConfig config = ConfigLoader.parse("switchd.bridges.br0.ports { " + existing + " { type = tap }, "
                    + persistent + " { type = tap, persistent = true }, " + plain + " { type = tap } }", "test");
            Switchd s = Switchd.start(config);
            try {
                for (String name : new String[] {existing, persistent, plain}) {
                    assertEquals(PortState.UP, s.bridge("br0").port(name).state(), name);
                    assertTrue(Interfaces.exists(name), name + " exists");
                }
                assertFalse(((TapPort) s.bridge("br0").port(existing)).created(), "attached, not created");
                assertTrue(((TapPort) s.bridge("br0").port(plain)).created());
                assertTrue(Netns.run("ip", "link", "show", plain).contains(",UP"), "switchd sets its taps up");
            } finally {
                s.close();
            }
            assertTrue(Interfaces.exists(existing), "an existing persistent tap outlives switchd");
            assertTrue(Interfaces.exists(persistent), "a persistent = true tap outlives switchd");
            assertFalse(Interfaces.exists(plain), "a tap switchd created is removed when it stops");
        } finally {
            for (String name : new String[] {existing, persistent, plain}) {
                if (Interfaces.exists(name)) {
                    Netns.status("ip", "tuntap", "del", "dev", name, "mode", "tap");
                }
            }
        }
    }
}

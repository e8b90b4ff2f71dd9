package io.switchd.control;

import io.switchd.api.client.SwitchdClient;
import io.switchd.testing.Netns;
import io.switchd.testing.PrometheusText;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A port's series follow the port, also when it is deleted and added again under its name between two scrapes. */
class PortMetricsTest {
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));

    @Test
    void aPortAddedAgainUnderItsNameBetweenScrapesHasItsSeries(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String tap = "sw" + id + "r";
        String up = "switchd_port_up{bridge=\"br0\",port=\"" + tap + "\"}";
        try (TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { } }", null)) {
            SwitchdClient client = daemon.client();
            client.call("POST", "/v1/bridges/br0/ports", Map.of("name", tap, "type", "tap"));
            assertEquals(1.0, PrometheusText.value(client.text("/metrics"), up), up);

            // a VM reboots: its tap goes and comes back before the next scrape
            client.call("DELETE", "/v1/bridges/br0/ports/" + tap, null);
            client.call("POST", "/v1/bridges/br0/ports", Map.of("name", tap, "type", "tap"));
            assertEquals(1.0, PrometheusText.value(client.text("/metrics"), up), up + " of the new port");
            assertEquals(1.0, PrometheusText.value(client.text("/metrics"), up), up + " on the scrape after");
        }
    }
}

package io.switchd.metrics;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.frame.MacAddress;
import io.switchd.port.MemoryPort;
import io.switchd.port.Port;
import io.switchd.testing.PrometheusText;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchd_fdb_entry_age_seconds reads, byte for byte, as it did when each entry was a row of a
 * Micrometer MultiGauge: the old export runs here as the reference, on the same tables at the same
 * instant, so dashboards and alerts that read the series see no change.
 */
class FdbEntryAgesTest {
    /** A monotonic-clock instant late enough for entries seen 200 days before it. */
    private static final long NOW = 20_000_000_000L;

    @Test
    void theLinesAreWhatTheMicrometerRowsWere() throws IOException {
        List<Bridge> bridges = bridges();
        String expected = micrometer(bridges, Integer.MAX_VALUE);
        assertTrue(expected.contains("vlan=\"10\"") && expected.contains("type=\"static\"")
                && expected.contains("port=\"?\""), expected);
        assertEquals(expected, written(bridges, Integer.MAX_VALUE));
    }

    @Test
    void theCapKeepsTheEntriesItKeptBefore() throws IOException {
        List<Bridge> bridges = bridges();
        for (int limit : new int[] {1, 4, 9}) {
            String expected = micrometer(bridges, limit);
            assertEquals(limit, expected.lines().filter(l -> !l.startsWith("#")).count(), expected);
            assertEquals(expected, written(bridges, limit), "limit " + limit);
        }
    }

    @Test
    void anEmptyTableWritesNoFamilyAtAll() throws IOException {
        List<Bridge> none = List.of(new Bridge(config("br0", Duration.ofMinutes(5)), 1));
        assertEquals("", micrometer(none, 100));
        assertEquals("", written(none, 100));
        assertEquals("", written(bridges(), 0), "a limit of 0 exports nothing");
    }

    @Test
    void theLinesAreValidExpositionText() throws IOException {
        String text = written(bridges(), Integer.MAX_VALUE);
        PrometheusText.validate(text);
        String line = text.lines().filter(l -> l.contains("02:00:00:00:00:05") && l.contains("vlan=\"0\""))
                .findFirst().orElseThrow();
        assertEquals("\\\\s\\\"p\\\"q\\\\x\\n", PrometheusText.labels(line, FdbEntryAges.NAME).get("port"), line);
    }

    /**
     * Two bridges, br1 first in configuration order; VLANs whose text sorts apart from their
     * numbers (9, 10, 100); one MAC in three VLANs; static entries; fractional, negative (learned
     * after the scrape's instant) and 200-day ages; ports named with quotes, backslashes, a
     * newline and non-ASCII text; and an entry whose port is gone.
     */
    private static List<Bridge> bridges() {
        Bridge br1 = new Bridge(config("br1", Duration.ofDays(365)), 1);
        Bridge br0 = new Bridge(config("br0", Duration.ofMinutes(5)), 1);
        Port a = port(br0, "tap-vm1");
        Port b = port(br0, "naïve-日本-\uD83D\uDE00");
        Port c = port(br1, "\\s\"p\"q\\x\n");
        Port gone = port(br1, "gone");
        MacTable t0 = br0.fdb();
        t0.learn(FdbKey.of(0, 0x0200_0000_0001L), a.index(), NOW - 12_345, 0);
        t0.learn(FdbKey.of(9, 0x0200_0000_0001L), b.index(), NOW - 250, 0);
        t0.learn(FdbKey.of(10, 0x0200_0000_0001L), a.index(), NOW, 0);
        t0.learn(FdbKey.of(100, 0x0200_0000_0002L), b.index(), NOW + 5, 0);
        t0.putStatic(FdbKey.of(10, 0x0200_0000_00A0L), a.index());
        t0.learn(FdbKey.of(4094, 0xFEFF_FFFF_FFFEL), b.index(), NOW - 299_999, 0);
        MacTable t1 = br1.fdb();
        t1.learn(FdbKey.of(0, 0x0200_0000_0005L), c.index(), NOW - 200L * 24 * 3600 * 1000 - 1, 0);
        t1.learn(FdbKey.of(1, 0x0200_0000_0005L), gone.index(), NOW - 1_000, 0);
        t1.putStatic(FdbKey.of(0, 0x0200_0000_0006L), c.index());
        br1.remove(gone);
        t1.learn(FdbKey.of(1, 0x0200_0000_0005L), gone.index(), NOW - 1_000, 0); // learned as its port went
        return List.of(br1, br0);
    }

    private static BridgeConfig config(String name, Duration ageing) {
        return new BridgeConfig(name, ageing, 64, 0, List.of(), List.of());
    }

    private static Port port(Bridge b, String name) {
        Port p = new MemoryPort(name, 1, (buf, offset, length) -> { });
        b.add(p);
        return p;
    }

    private static String written(List<Bridge> bridges, int limit) throws IOException {
        FdbEntryAges ages = new FdbEntryAges();
        ages.collect(bridges, NOW, limit);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ages.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The family as the export before this class wrote it: a MultiGauge row per entry. */
    private static String micrometer(List<Bridge> bridges, int limit) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            MultiGauge fdbEntryAge = MultiGauge.builder("switchd.fdb.entry.age").baseUnit("seconds")
                    .description("Seconds since the station was last seen, one series per MAC table entry")
                    .register(registry);
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (Bridge b : bridges) {
                for (MacTable.Entry e : b.fdb().entries(NOW, limit - rows.size())) {
                    Port p = b.portAt(e.port());
                    rows.add(MultiGauge.Row.of(Tags.of("bridge", b.name(), "vlan", Integer.toString(e.vlan()),
                            "mac", MacAddress.format(e.mac()), "port", p == null ? "?" : p.name(),
                            "type", e.isStatic() ? "static" : "learned"), e.ageMillis() / 1000.0));
                }
            }
            fdbEntryAge.register(rows, true);
            // the family's lines: its HELP and TYPE, and its samples (label values may hold a newline escaped)
            return registry.scrape().lines().filter(l -> l.startsWith(FdbEntryAges.NAME + "{")
                    || l.startsWith("# HELP " + FdbEntryAges.NAME + " ") || l.startsWith("# TYPE " + FdbEntryAges.NAME + " "))
                    .map(l -> l + "\n").collect(Collectors.joining());
        } finally {
            registry.close();
        }
    }
}

package io.switchd.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.config.PortType;
import io.switchd.port.AbsentPort;
import io.switchd.port.DropReason;
import io.switchd.port.MemoryPort;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.PortState;
import io.switchd.stp.StpState;
import io.switchd.testing.PrometheusText;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ports' series read, byte for byte, as they did when every port had its Micrometer meters:
 * the old meters run here as the reference, over the same ports and counters.
 */
class PortSeriesTest {
    @Test
    void theLinesAreWhatTheMicrometerMetersWrote() throws IOException {
        List<Bridge> bridges = bridges();
        String expected = micrometer(bridges);
        assertTrue(expected.contains("E7\n") && expected.contains("state=\"admin-down\"} 1.0"), expected);
        assertEquals(expected, written(bridges));
        PrometheusText.validate(expected);
    }

    @Test
    void aPortShowsUnderTheNameItHasNow() throws IOException {
        List<Bridge> bridges = bridges();
        bridges.get(0).port("tap-b").rename("tap-renamed");
        String text = written(bridges);
        assertEquals(micrometer(bridges), text);
        assertTrue(text.contains("port=\"tap-renamed\"") && !text.contains("port=\"tap-b\""), text);
    }

    @Test
    void noPortsWriteNoFamilies() throws IOException {
        List<Bridge> none = List.of(new Bridge(config("br0"), 1));
        assertEquals("", micrometer(none));
        assertEquals("", written(none));
    }

    /**
     * Two bridges, br1 first in configuration order; ports added out of name order, named with a
     * quote, a backslash and non-ASCII text; each state; counts below and above 10^7 (where Java
     * writes doubles in scientific notation) and a different count for each drop reason.
     */
    private static List<Bridge> bridges() {
        Bridge br1 = new Bridge(config("br1"), 1);
        Bridge br0 = new Bridge(config("br0"), 1);
        Port b = port(br1, new MemoryPort("tap-b", 1, (buf, offset, length) -> { }));
        Port a = port(br1, new MemoryPort("tap-a\"\\", 1, (buf, offset, length) -> { }));
        Port c = port(br0, new MemoryPort("vm-ü", 1, (buf, offset, length) -> { }));
        Port d = port(br0, new AbsentPort("eth9", PortType.NETDEV, 1));
        b.adminUp(false);
        c.linkUp(false);
        a.stpState(StpState.DISCARDING);
        b.stpState(StpState.LEARNING);
        long n = 1;
        for (Port p : List.of(a, b, c, d)) {
            p.counters().add(0, PortCounters.RX_FRAMES, n * 9_999_999);
            p.counters().add(0, PortCounters.RX_BYTES, n * 1_234_567_891_234L);
            p.counters().add(0, PortCounters.TX_FRAMES, n * 10_000_000);
            p.counters().add(0, PortCounters.TX_BYTES, n * 42);
            p.counters().add(0, PortCounters.RX_BPDUS, n * 7);
            p.counters().add(0, PortCounters.TX_BPDUS, n * 11);
            for (DropReason r : DropReason.values()) {
                p.counters().add(0, PortCounters.drop(r), n * (r.ordinal() + 1) * 3_333_333);
            }
            n++;
        }
        return new java.util.ArrayList<>(List.of(br1, br0));
    }

    private static BridgeConfig config(String name) {
        return new BridgeConfig(name, Duration.ofMinutes(5), 64, 0, List.of(), List.of());
    }

    private static Port port(Bridge bridge, Port p) {
        bridge.add(p);
        p.linkUp(true);
        return p;
    }

    private static String written(List<Bridge> bridges) throws IOException {
        PortSeries series = new PortSeries();
        series.collect(bridges);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        series.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The ports' families as the meters before this class wrote them. */
    private static String micrometer(List<Bridge> bridges) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            for (Bridge br : bridges) {
                for (Port p : br.ports()) {
                    register(registry, br, p);
                }
            }
            return registry.scrape().lines().filter(l -> l.startsWith("switchd_port_") || l.startsWith("switchd_stp_")
                    || l.startsWith("# HELP switchd_port_") || l.startsWith("# TYPE switchd_port_")
                    || l.startsWith("# HELP switchd_stp_") || l.startsWith("# TYPE switchd_stp_"))
                    .map(l -> l + "\n").collect(Collectors.joining());
        } finally {
            registry.close();
        }
    }

    /** The meters SwitchdMetrics registered for a port. */
    private static void register(PrometheusMeterRegistry registry, Bridge b, Port p) {
        Tags tags = Tags.of("bridge", b.name(), "port", p.name());
        StripedCounters c = p.counters();
        counter(registry, "switchd.port.rx.frames", "Frames read from the port", null, tags, c, PortCounters.RX_FRAMES);
        counter(registry, "switchd.port.rx.bytes", "Bytes read from the port", "bytes", tags, c, PortCounters.RX_BYTES);
        counter(registry, "switchd.port.tx.frames", "Frames written to the port", null, tags, c, PortCounters.TX_FRAMES);
        counter(registry, "switchd.port.tx.bytes", "Bytes written to the port", "bytes", tags, c, PortCounters.TX_BYTES);
        for (DropReason r : DropReason.values()) {
            counter(registry, "switchd.port.dropped.frames", "Frames dropped, by direction and reason", null,
                    tags.and("direction", r.egress() ? "tx" : "rx", "reason", r.label()), c, PortCounters.drop(r));
        }
        Gauge.builder("switchd.port.up", p, port -> port.state() == PortState.UP ? 1 : 0)
                .description("1 while the port forwards").tags(tags).register(registry);
        for (PortState s : PortState.values()) {
            Gauge.builder("switchd.port.state", p, port -> port.state() == s ? 1 : 0)
                    .description("1 for the port's current state: up, down (link), absent (no interface), admin-down")
                    .tags(tags.and("state", s.displayName())).register(registry);
        }
        counter(registry, "switchd.stp.bpdus", "BPDUs the spanning tree heard and sent on the port", null,
                tags.and("direction", "rx"), c, PortCounters.RX_BPDUS);
        counter(registry, "switchd.stp.bpdus", "BPDUs the spanning tree heard and sent on the port", null,
                tags.and("direction", "tx"), c, PortCounters.TX_BPDUS);
        for (StpState s : StpState.values()) {
            Gauge.builder("switchd.stp.port.state", p, port -> port.stpState() == s ? 1 : 0)
                    .description("1 for the state the spanning tree gives the port: discarding, learning, forwarding "
                            + "(always forwarding on a bridge that runs none)")
                    .tags(tags.and("state", s.label())).register(registry);
        }
    }

    private static void counter(PrometheusMeterRegistry registry, String name, String description, String unit,
                                Tags tags, StripedCounters c, int id) {
        FunctionCounter.builder(name, c, counters -> counters.get(id)).description(description)
                .baseUnit(unit).tags(tags).register(registry);
    }
}

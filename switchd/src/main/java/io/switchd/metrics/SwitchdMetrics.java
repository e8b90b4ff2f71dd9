package io.switchd.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchd.Switchd;
import io.switchd.bridge.Bridge;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.MacTable;
import io.switchd.frame.MacAddress;
import io.switchd.port.DropReason;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.PortState;
import io.switchd.stp.BpduStatus;
import io.switchd.stp.StpState;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Prometheus view of a switch. Meters only read the counters the data path keeps (function
 * counters and gauges over {@link StripedCounters}): the data path never calls Micrometer. Ports
 * and bridges come and go at run time, so the meters are matched to them before every scrape.
 */
public final class SwitchdMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Switchd switchd;
    private final int fdbEntriesLimit;
    private final Map<Port, PortMeters> portMeters = new IdentityHashMap<>();
    private final Map<Bridge, List<Meter>> bridgeMeters = new IdentityHashMap<>();
    private final MultiGauge fdbEntryAge;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile int exported;

    /** Metrics of {@code switchd}, exporting at most {@code fdbEntriesLimit} MAC table entries. */
    public SwitchdMetrics(Switchd switchd, int fdbEntriesLimit) {
        this.switchd = switchd;
        this.fdbEntriesLimit = fdbEntriesLimit;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new ProcessMetrics().bindTo(registry);
        BuildInfo build = BuildInfo.current();
        Gauge.builder("switchd.build.info", () -> 1)
                .tags("version", build.version(), "revision", build.revision(), "java_version", build.javaVersion())
                .description("Always 1; the labels say which switchd this is and the Java it runs on")
                .register(registry);
        fdbEntryAge = MultiGauge.builder("switchd.fdb.entry.age").baseUnit("seconds")
                .description("Seconds since the station was last seen, one series per MAC table entry")
                .register(registry);
        Gauge.builder("switchd.fdb.entries.exported", this, m -> m.exported)
                .description("How many MAC table entries switchd_fdb_entry_age_seconds carries (capped by metrics.fdb-entries-limit)")
                .register(registry);
    }

    /** The exposition text, with meters for exactly the ports and bridges there are now. */
    public synchronized String scrape() {
        sync();
        return registry.scrape();
    }

    private void sync() {
        List<Bridge> bridges = switchd.bridges();
        Map<Bridge, Boolean> liveBridges = new IdentityHashMap<>();
        Map<Port, Boolean> livePorts = new IdentityHashMap<>();
        for (Bridge b : bridges) {
            liveBridges.put(b, true);
            for (Port p : b.ports()) {
                livePorts.put(p, true);
            }
        }
        // Gone first: a port deleted and added again under its name has the same meter ids, and
        // Micrometer would hand the new port the old port's meters, which are then removed.
        removeUnless(portMeters, livePorts, PortMeters::meters);
        removeUnless(bridgeMeters, liveBridges, Function.identity());
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        long now = MonotonicClock.millis();
        for (Bridge b : bridges) {
            bridgeMeters.computeIfAbsent(b, this::registerBridge);
            for (Port p : b.ports()) {
                p.collectKernelDrops();
                PortMeters pm = portMeters.get(p);
                if (pm != null && !pm.name().equals(p.name())) {
                    pm.meters().forEach(registry::remove); // the port followed its interface's rename
                    pm = null;
                }
                if (pm == null) {
                    portMeters.put(p, new PortMeters(p.name(), registerPort(b, p)));
                }
            }
            for (MacTable.Entry e : b.fdb().entries(now, fdbEntriesLimit - rows.size())) {
                Port p = b.portAt(e.port());
                rows.add(MultiGauge.Row.of(Tags.of("bridge", b.name(), "vlan", Integer.toString(e.vlan()),
                        "mac", MacAddress.format(e.mac()), "port", p == null ? "?" : p.name(),
                        "type", e.isStatic() ? "static" : "learned"), e.ageMillis() / 1000.0));
            }
        }
        exported = rows.size();
        fdbEntryAge.register(rows, true);
    }

    private <K, V> void removeUnless(Map<K, V> meters, Map<K, Boolean> live, Function<V, List<Meter>> list) {
        meters.entrySet().removeIf(en -> {
            if (live.containsKey(en.getKey())) {
                return false;
            }
            list.apply(en.getValue()).forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> registerPort(Bridge b, Port p) {
        Tags tags = Tags.of("bridge", b.name(), "port", p.name());
        StripedCounters c = p.counters();
        List<Meter> m = new ArrayList<>();
        m.add(counter("switchd.port.rx.frames", "Frames read from the port", null, tags, c, PortCounters.RX_FRAMES));
        m.add(counter("switchd.port.rx.bytes", "Bytes read from the port", "bytes", tags, c, PortCounters.RX_BYTES));
        m.add(counter("switchd.port.tx.frames", "Frames written to the port", null, tags, c, PortCounters.TX_FRAMES));
        m.add(counter("switchd.port.tx.bytes", "Bytes written to the port", "bytes", tags, c, PortCounters.TX_BYTES));
        for (DropReason r : DropReason.values()) {
            m.add(counter("switchd.port.dropped.frames", "Frames dropped, by direction and reason", null,
                    tags.and("direction", r.egress() ? "tx" : "rx", "reason", r.label()), c, PortCounters.drop(r)));
        }
        m.add(Gauge.builder("switchd.port.up", p, port -> port.state() == PortState.UP ? 1 : 0)
                .description("1 while the port forwards").tags(tags).register(registry));
        m.add(counter("switchd.stp.bpdus", "BPDUs the spanning tree heard and sent on the port", null,
                tags.and("direction", "rx"), c, PortCounters.RX_BPDUS));
        m.add(counter("switchd.stp.bpdus", "BPDUs the spanning tree heard and sent on the port", null,
                tags.and("direction", "tx"), c, PortCounters.TX_BPDUS));
        for (StpState s : StpState.values()) {
            m.add(Gauge.builder("switchd.stp.port.state", p, port -> port.stpState() == s ? 1 : 0)
                    .description("1 for the state the spanning tree gives the port: discarding, learning, forwarding "
                            + "(always forwarding on a bridge that runs none)")
                    .tags(tags.and("state", s.label())).register(registry));
        }
        for (PortState s : PortState.values()) {
            m.add(Gauge.builder("switchd.port.state", p, port -> port.state() == s ? 1 : 0)
                    .description("1 for the port's current state: up, down (link), absent (no interface), admin-down")
                    .tags(tags.and("state", s.displayName())).register(registry));
        }
        return m;
    }

    private List<Meter> registerBridge(Bridge b) {
        Tags tags = Tags.of("bridge", b.name());
        StripedCounters c = b.fdb().counters();
        List<Meter> m = new ArrayList<>();
        m.add(Gauge.builder("switchd.fdb.entries", b, br -> br.fdb().size(MonotonicClock.millis()))
                .description("Entries in the MAC table").tags(tags).register(registry));
        m.add(Gauge.builder("switchd.fdb.limit", b, br -> br.fdb().limit())
                .description("The MAC table's size limit").tags(tags).register(registry));
        m.add(counter("switchd.fdb.learned", "Addresses learned", null, tags, c, MacTable.C_LEARNED));
        m.add(counter("switchd.fdb.aged", "Addresses expired by ageing", null, tags, c, MacTable.C_EXPIRED));
        m.add(counter("switchd.fdb.moves", "Addresses that moved to another port", null, tags, c, MacTable.C_MOVED));
        m.add(counter("switchd.fdb.full", "Addresses not learned because the table was full", null, tags, c,
                MacTable.C_FULL));
        m.add(FunctionCounter.builder("switchd.stp.topology.changes", b, br -> switchd.stpChanges(br).topology())
                .description("Topology changes the bridge's spanning tree started or heard of").tags(tags)
                .register(registry));
        m.add(FunctionCounter.builder("switchd.stp.root.changes", b, br -> switchd.stpChanges(br).root())
                .description("Times another bridge became the root of the bridge's spanning tree").tags(tags)
                .register(registry));
        for (BpduStatus why : BpduStatus.values()) {
            if (why != BpduStatus.VALID) {
                m.add(FunctionCounter.builder("switchd.stp.bpdus.ignored", b, br -> switchd.stpIgnored(br, why))
                        .description("BPDUs the spanning tree ignored: malformed, expired, or on a port out of the tree")
                        .tags(tags.and("reason", why.label())).register(registry));
            }
        }
        m.add(counter("switchd.flooded.frames", "Frames flooded (unknown unicast, broadcast, multicast)", null, tags,
                b.counters(), Bridge.C_FLOODED));
        return m;
    }

    private Meter counter(String name, String description, String unit, Tags tags, StripedCounters c, int id) {
        return FunctionCounter.builder(name, c, counters -> counters.get(id)).description(description)
                .baseUnit(unit).tags(tags).register(registry);
    }

    /** The meters of one port, under the name they were registered with. */
    private record PortMeters(String name, List<Meter> meters) {}

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

package io.switchd.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
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
import io.switchd.bridge.Mirror;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.MacTable;
import io.switchd.overlay.EtcdDirectory;
import io.switchd.port.Port;
import io.switchd.stp.BpduStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Prometheus view of a switch. Meters only read the counters the data path keeps (function
 * counters and gauges over {@link StripedCounters}): the data path never calls Micrometer. Ports
 * and bridges come and go at run time, so the meters are matched to them before every scrape.
 * The ports' series and the MAC table's entries are no meters: {@link PortSeries} and
 * {@link FdbEntryAges} write them after the registry's text, without the garbage a meter each made.
 */
public final class SwitchdMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Switchd switchd;
    private final int fdbEntriesLimit;
    private final Map<Bridge, List<Meter>> bridgeMeters = new IdentityHashMap<>();
    /** One copy counter per running mirror; a mirror a reload kept is the same object, so its series goes on. */
    private final Map<Mirror, Meter> mirrorMeters = new IdentityHashMap<>();
    private final PortSeries portSeries;
    private final FdbEntryAges fdbEntryAges = new FdbEntryAges();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile int exported;

    /** Metrics of {@code switchd}, exporting at most {@code fdbEntriesLimit} MAC table entries. */
    public SwitchdMetrics(Switchd switchd, int fdbEntriesLimit) {
        this.switchd = switchd;
        this.fdbEntriesLimit = fdbEntriesLimit;
        this.portSeries = new PortSeries(switchd::staticPeers, switchd::etcdPeers);
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
        EtcdDirectory directory = switchd.directory();
        if (directory != null) {
            Gauge.builder("switchd.etcd.connected", directory, d -> d.connected() ? 1 : 0)
                    .description("1 while the etcd directory reaches etcd, 0 while it retries")
                    .register(registry);
            Gauge.builder("switchd.etcd.last.update", directory, d -> d.lastUpdateEpochMillis() / 1000.0)
                    .baseUnit("seconds")
                    .description("When the etcd directory last read or heard a change (Unix time; 0: never)")
                    .register(registry);
            FunctionCounter.builder("switchd.etcd.malformed", directory, EtcdDirectory::malformed)
                    .description("Keys or values read from etcd that were skipped as malformed")
                    .register(registry);
        }
        Gauge.builder("switchd.fdb.entries.exported", this, m -> m.exported)
                .description("How many MAC table entries switchd_fdb_entry_age_seconds carries (capped by metrics.fdb-entries-limit)")
                .register(registry);
    }

    /** The exposition text, with meters for exactly the ports and bridges there are now. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            scrape(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the exposition text (UTF-8) to {@code out}: what {@link #scrape()} returns, without
     * building it as a string first.
     */
    public synchronized void scrape(OutputStream out) throws IOException {
        sync();
        registry.scrape(out);
        portSeries.writeTo(out);
        fdbEntryAges.writeTo(out);
    }

    private void sync() {
        List<Bridge> bridges = switchd.bridges();
        Map<Bridge, Boolean> liveBridges = new IdentityHashMap<>();
        for (Bridge b : bridges) {
            liveBridges.put(b, true);
        }
        // Gone first: a bridge deleted and added again under its name has the same meter ids, and
        // Micrometer would hand the new bridge the old bridge's meters, which are then removed.
        removeUnless(bridgeMeters, liveBridges, Function.identity());
        Map<Mirror, Boolean> liveMirrors = new IdentityHashMap<>();
        for (Bridge b : bridges) {
            for (Mirror m : b.mirrors()) {
                liveMirrors.put(m, true);
            }
        }
        removeUnless(mirrorMeters, liveMirrors, List::of);
        for (Bridge b : bridges) {
            bridgeMeters.computeIfAbsent(b, this::registerBridge);
            for (Mirror mirror : b.mirrors()) {
                mirrorMeters.computeIfAbsent(mirror, m -> FunctionCounter.builder("switchd.mirror.copies", m,
                                Mirror::copies)
                        .description("Frames a mirror copied to its output port")
                        .tags(Tags.of("bridge", b.name(), "mirror", m.name())).register(registry));
            }
            for (Port p : b.ports()) {
                p.collectKernelDrops();
            }
        }
        portSeries.collect(bridges);
        exported = fdbEntryAges.collect(bridges, MonotonicClock.millis(), fdbEntriesLimit);
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

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

package io.switchd.overlay;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.switchd.bridge.Bridge;
import io.switchd.config.EtcdConfig;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.port.kind.VxlanSettings;
import io.switchd.sys.Interfaces;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The etcd directory of a daemon's vxlan ports with {@code directory = etcd}. Everything it does
 * runs on its own thread: registering each port's host per VNI under one lease, reading and then
 * watching each VNI's subtree ({@link DirectoryKeys}), writing what the other hosts registered and
 * published as the device's entries ({@link FdbReconciler}), and once a second sampling the
 * bridge's MAC table (lock-free, as a metrics scrape reads it) to publish the MACs learned on the
 * bridge's local ports. etcd out of reach: the devices keep the last entries, the loss is logged
 * once, and connecting is retried with backoff; back, each VNI is read in full and watched from
 * the revision read.
 */
public final class EtcdDirectory implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EtcdDirectory.class.getName());
    private static final Duration CALL = Duration.ofSeconds(3);
    private static final long TICK_MILLIS = 1000;
    private static final long BACKOFF_MIN_MILLIS = 500;
    private static final long BACKOFF_MAX_MILLIS = 15_000;
    private static final int MAX_PUBLISHED = 65_536;

    private final EtcdConfig config;
    private final DirectoryKeys keys;
    private final Function<String, FdbSink> sinks;
    private final ScheduledExecutorService thread;
    /** The peers this directory put on each port's flood list, for the API and the metrics. */
    private final DirectoryPeers peers = new DirectoryPeers();
    /** The ports in the directory, by name: the directory's thread only. */
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final AtomicLong malformedSkipped = new AtomicLong();
    private Client client;
    private long lease;
    private boolean connected;
    private boolean lossLogged;
    private long nextAttempt;
    private long backoff = BACKOFF_MIN_MILLIS;
    private long nextKeepAlive;
    private int generation;
    private volatile boolean up;
    private volatile long lastUpdateEpochMillis;

    private EtcdDirectory(EtcdConfig config, Function<String, FdbSink> sinks) {
        this.config = config;
        this.keys = new DirectoryKeys(config.prefix());
        this.sinks = sinks;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "etcd-directory");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the directory on {@code config}, writing to the kernel's vxlan devices. */
    public static EtcdDirectory start(EtcdConfig config) {
        return start(config, KernelFdbSink::new);
    }

    /** Starts the directory writing entries through {@code sinks} (by device name), for tests. */
    static EtcdDirectory start(EtcdConfig config, Function<String, FdbSink> sinks) {
        EtcdDirectory d = new EtcdDirectory(config, sinks);
        d.thread.scheduleWithFixedDelay(d::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("etcd directory: " + config.endpoints() + ", prefix " + config.prefix() + ", lease "
                + config.lease().toSeconds() + " s");
        return d;
    }

    /** The peers this directory put on each vxlan port's flood list. */
    public DirectoryPeers peers() {
        return peers;
    }

    /** Puts vxlan port {@code port} of {@code bridge} in the directory (it returns at once). */
    public void attach(Bridge bridge, String port, VxlanSettings settings) {
        onThread(() -> {
            Member old = members.remove(port);
            if (old != null) {
                leave(old);
            }
            Member m = new Member(port, bridge, settings, keys.vni(settings.vni()), sinks.apply(port));
            members.put(port, m);
            peers.set(port, List.of());
            if (connected) {
                guarded(() -> join(m));
            }
        });
    }

    /** Takes vxlan port {@code port} out: its registration and MACs go (it returns at once). */
    public void detach(String port) {
        onThread(() -> {
            Member m = members.remove(port);
            if (m != null) {
                leave(m);
            }
        });
    }

    private void onThread(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.fine("etcd directory: stopped, not " + task);
        }
    }

    /** Whether the directory reaches etcd now. */
    public boolean connected() {
        return up;
    }

    /** When the directory last read or heard a change (epoch milliseconds; 0: never). */
    public long lastUpdateEpochMillis() {
        return lastUpdateEpochMillis;
    }

    /** How many keys or values from etcd were skipped as malformed. */
    public long malformed() {
        return malformedSkipped.get();
    }

    /** Revokes the lease (the other hosts drop this one at once) and stops. */
    @Override
    public void close() {
        try {
            thread.submit(() -> {
                for (Member m : members.values()) {
                    m.closeWatch();
                    peers.remove(m.port);
                }
                if (connected && lease != 0) {
                    try {
                        await(client.getLeaseClient().revoke(lease));
                    } catch (Exception e) {
                        LOG.fine("etcd directory: cannot revoke the lease: " + e);
                    }
                }
                if (client != null) {
                    client.close();
                }
            }).get(CALL.toSeconds() + 2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("etcd directory: stopping: " + e);
        } finally {
            thread.shutdownNow();
        }
    }

    // ---- the directory's thread ----

    private void tick() {
        try {
            step();
        } catch (RuntimeException | Error e) {
            // a scheduled task that throws is never run again: the directory would stop for good
            LOG.log(Level.WARNING, "etcd directory: unexpected failure, going on", e);
        }
    }

    private void step() {
        long now = MonotonicClock.millis();
        if (!connected && now >= nextAttempt) {
            guarded(this::connect);
        }
        if (connected) {
            guarded(() -> {
                if (now >= nextKeepAlive) {
                    keepAlive();
                }
                for (Member m : List.copyOf(members.values())) {
                    if (!m.joined) {
                        join(m);
                    }
                    publish(m);
                }
            });
        }
        for (Member m : members.values()) {
            program(m);
        }
    }

    /** Runs {@code step}; any failure is etcd out of reach. */
    private void guarded(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            lost(e);
        }
    }

    private void connect() throws Exception {
        if (client == null) {
            client = Client.builder().endpoints(config.endpoints().toArray(new String[0]))
                    .connectTimeout(Duration.ofSeconds(2)).retryMaxAttempts(1).build();
        }
        if (lease != 0 && !leaseAlive()) {
            lease = 0;
        }
        if (lease == 0) {
            lease = await(client.getLeaseClient().grant(config.lease().toSeconds())).getID();
            for (Member m : members.values()) {
                m.published.clear();
            }
        }
        connected = true;
        up = true;
        backoff = BACKOFF_MIN_MILLIS;
        nextKeepAlive = MonotonicClock.millis() + keepAliveMillis();
        generation++;
        for (Member m : members.values()) {
            m.joined = false;
        }
        LOG.info("etcd directory: connected to " + config.endpoints() + " (lease " + Long.toHexString(lease) + ")");
        lossLogged = false;
    }

    /** Whether the lease still exists (it runs out while etcd is unreachable for longer than it). */
    private boolean leaseAlive() throws Exception {
        try {
            return await(client.getLeaseClient().keepAliveOnce(lease)).getTTL() > 0;
        } catch (ExecutionException e) {
            if (String.valueOf(e.getCause()).contains("not found")) {
                return false;
            }
            throw e;
        }
    }

    private void keepAlive() throws Exception {
        if (!leaseAlive()) {
            // the lease ran out: a new one, with every registration and MAC on it again
            throw new IllegalStateException("the lease ran out");
        }
        nextKeepAlive = MonotonicClock.millis() + keepAliveMillis();
    }

    private long keepAliveMillis() {
        return Math.max(500, config.lease().toMillis() / 3);
    }

    /** Registers the port's host on its VNI, reads the VNI in full and watches it from the revision read. */
    private void join(Member m) throws Exception {
        m.closeWatch();
        await(client.getKVClient().put(bytes(keys.host(m.settings.vni(), m.settings.local())),
                bytes("{\"address\":\"" + m.settings.local() + "\"}"), PutOption.builder().withLeaseId(lease).build()));
        GetResponse all = await(client.getKVClient().get(bytes(m.vniPrefix),
                GetOption.builder().isPrefix(true).build()));
        m.view.clear();
        for (KeyValue kv : all.getKvs()) {
            m.view.put(text(kv.getKey()), kv.getValue().getBytes());
        }
        int gen = generation;
        int watch = m.watches;
        m.watcher = client.getWatchClient().watch(bytes(m.vniPrefix),
                WatchOption.builder().isPrefix(true).withRevision(all.getHeader().getRevision() + 1).build(),
                r -> thread.execute(() -> watched(m, gen, watch, r)),
                e -> thread.execute(() -> {
                    // a watch this side closed (a port leaving, a lost connection) is no news
                    if (gen == generation && watch == m.watches && members.get(m.port) == m && connected) {
                        lost(e);
                    }
                }));
        m.joined = true;
        for (Map.Entry<Long, Integer> e : m.published.entrySet()) {
            // what was published under an older lease, or overwritten while away: written again
            putMac(m, e.getKey(), e.getValue());
        }
        updated(m);
        program(m);
    }

    private void watched(Member m, int gen, int watch, WatchResponse r) {
        if (gen != generation || watch != m.watches || members.get(m.port) != m) {
            return;
        }
        for (WatchEvent e : r.getEvents()) {
            String key = text(e.getKeyValue().getKey());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                m.view.put(key, e.getKeyValue().getValue().getBytes());
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                m.view.delete(key);
            }
        }
        updated(m);
        program(m);
    }

    private void updated(Member m) {
        m.dirty = true;
        lastUpdateEpochMillis = System.currentTimeMillis();
        malformedSkipped.addAndGet(m.view.malformed() - m.malformedCounted);
        m.malformedCounted = m.view.malformed();
    }

    /** Writes the view to the device: the one made last, from scratch if it was made again. */
    private void program(Member m) {
        int index = Interfaces.index(m.port);
        if (index == 0) {
            return;
        }
        if (index != m.ifindex) {
            m.fdb.reset();
            m.ifindex = index;
            m.dirty = true;
        }
        if (!m.dirty) {
            return; // nothing changed since the device took everything: no diff to compute
        }
        Set<String> now = m.view.peers();
        m.dirty = m.fdb.sync(now, m.view.unicast(), m.sink) > 0;
        peers.set(m.port, new ArrayList<>(now));
    }

    /** Puts the MACs learned on the bridge's local ports since the last sample, and deletes those gone. */
    private void publish(Member m) throws Exception {
        Map<Long, Integer> now = LocalMacs.sample(m.bridge, MAX_PUBLISHED);
        for (Map.Entry<Long, Integer> e : now.entrySet()) {
            if (!e.getValue().equals(m.published.get(e.getKey()))) {
                putMac(m, e.getKey(), e.getValue());
                m.published.put(e.getKey(), e.getValue());
            }
        }
        for (Long mac : List.copyOf(m.published.keySet())) {
            if (!now.containsKey(mac)) {
                withdraw(m, mac, m.published.get(mac));
                m.published.remove(mac);
            }
        }
    }

    private void putMac(Member m, long mac, int vlan) throws Exception {
        await(client.getKVClient().put(bytes(keys.mac(m.settings.vni(), mac)), bytes(macValue(m, vlan)),
                PutOption.builder().withLeaseId(lease).build()));
    }

    /** Deletes a MAC this host published, unless another host has written it since (the MAC moved there). */
    private void withdraw(Member m, long mac, int vlan) throws Exception {
        ByteSequence key = bytes(keys.mac(m.settings.vni(), mac));
        await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(macValue(m, vlan)))))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit());
    }

    private static String macValue(Member m, int vlan) {
        return "{\"address\":\"" + m.settings.local() + "\",\"vlan\":" + vlan + "}";
    }

    /** The port leaves: its watch, registration and MACs go; its device keeps what it has until it goes too. */
    private void leave(Member m) {
        m.closeWatch();
        peers.remove(m.port);
        if (!connected) {
            return; // the lease takes them when it runs out
        }
        guarded(() -> {
            await(client.getKVClient().delete(bytes(keys.host(m.settings.vni(), m.settings.local()))));
            for (Map.Entry<Long, Integer> e : m.published.entrySet()) {
                withdraw(m, e.getKey(), e.getValue());
            }
        });
    }

    private void lost(Throwable e) {
        if (!lossLogged) {
            LOG.warning("etcd directory: cannot reach " + config.endpoints() + " (" + cause(e) + "); forwarding goes "
                    + "on with the peers and MACs known, retrying");
            lossLogged = true;
        } else {
            LOG.log(Level.FINE, "etcd directory: still unreachable", e);
        }
        connected = false;
        up = false;
        generation++;
        for (Member m : members.values()) {
            m.closeWatch();
            m.joined = false;
        }
        nextAttempt = MonotonicClock.millis() + backoff;
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MILLIS);
    }

    private static String cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof ExecutionException || c.getCause() != null && c.getMessage() == null) && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof TimeoutException ? "no answer within " + CALL.toSeconds() + " s" : String.valueOf(c);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(CALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String text(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** One port in the directory. */
    private static final class Member {
        final String port;
        final Bridge bridge;
        final VxlanSettings settings;
        final String vniPrefix;
        final VniView view;
        final FdbReconciler fdb;
        final FdbSink sink;
        /** What this host published for the port: MAC to VLAN. */
        final Map<Long, Integer> published = new HashMap<>();
        io.etcd.jetcd.Watch.Watcher watcher;
        boolean joined;
        int ifindex;
        long malformedCounted;
        /** The view changed (or a write failed) since the device last took it all. */
        boolean dirty = true;
        /** Counts the watches closed, so that a closed one's late events and errors are told apart. */
        int watches;

        Member(String port, Bridge bridge, VxlanSettings settings, String vniPrefix, FdbSink sink) {
            this.port = port;
            this.bridge = bridge;
            this.settings = settings;
            this.vniPrefix = vniPrefix;
            this.view = new VniView(vniPrefix, settings.local());
            this.fdb = new FdbReconciler(port, settings.remotes());
            this.sink = sink;
        }

        void closeWatch() {
            watches++;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
    }
}

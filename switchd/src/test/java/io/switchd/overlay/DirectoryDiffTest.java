package io.switchd.overlay;

import io.switchd.frame.MacAddress;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The directory's view of a VNI and what it writes to a device, from a full read and watch
 * events, over a sink that records the writes: no etcd, no kernel.
 */
class DirectoryDiffTest {
    private static final DirectoryKeys KEYS = new DirectoryKeys("/switchd");
    private static final int VNI = 1001;
    private static final String SELF = "192.0.2.1";
    private static final long MAC_B = MacAddress.parse("02:00:00:00:00:0b");
    private static final long MAC_C = MacAddress.parse("02:00:00:00:00:0c");

    private final VniView view = new VniView(KEYS.vni(VNI), SELF);
    private final RecordingSink sink = new RecordingSink();

    @Test
    void theFloodListIsEveryOtherRegisteredHostBesideTheStaticOnes() {
        FdbReconciler fdb = new FdbReconciler("vx", List.of("192.0.2.9"));
        host(SELF);
        host("192.0.2.2");
        host("192.0.2.3");
        host("192.0.2.9"); // also static: the port wrote it, the directory leaves it alone
        sync(fdb);
        assertEquals(List.of("flood 192.0.2.2", "flood 192.0.2.3"), sink.take());
        assertEquals(new TreeSet<>(Set.of("192.0.2.2", "192.0.2.3", "192.0.2.9")), view.peers());

        view.delete(KEYS.host(VNI, "192.0.2.3"));
        view.delete(KEYS.host(VNI, "192.0.2.9"));
        sync(fdb);
        assertEquals(List.of("unflood 192.0.2.3"), sink.take(), "a static remote stays on the flood list");
        sync(fdb);
        assertEquals(List.of(), sink.take(), "nothing changed, nothing written");
    }

    @Test
    void macsOfRegisteredHostsBecomeUnicastEntriesAndGoWithTheirHost() {
        FdbReconciler fdb = new FdbReconciler("vx", List.of());
        host("192.0.2.2");
        host("192.0.2.3");
        mac(MAC_B, "192.0.2.2");
        mac(MAC_C, "192.0.2.3");
        mac(MacAddress.parse("02:00:00:00:00:01"), SELF); // our own: no entry
        sync(fdb);
        assertEquals(List.of("flood 192.0.2.2", "flood 192.0.2.3", "unicast 02:00:00:00:00:0b 192.0.2.2",
                "unicast 02:00:00:00:00:0c 192.0.2.3"), sink.take());

        mac(MAC_B, "192.0.2.3"); // moved
        sync(fdb);
        assertEquals(List.of("unicast 02:00:00:00:00:0b 192.0.2.3"), sink.take());

        view.delete(KEYS.host(VNI, "192.0.2.3")); // its lease ran out; its MAC keys may lag
        sync(fdb);
        assertEquals(List.of("unflood 192.0.2.3", "remove 02:00:00:00:00:0b", "remove 02:00:00:00:00:0c"),
                sink.take());
    }

    @Test
    void aFullReadAfterAnOutageWritesOnlyTheDifference() {
        FdbReconciler fdb = new FdbReconciler("vx", List.of());
        host("192.0.2.2");
        host("192.0.2.3");
        mac(MAC_B, "192.0.2.2");
        sync(fdb);
        sink.take();

        view.clear(); // etcd came back: the whole VNI read again
        host("192.0.2.2");
        host("192.0.2.4");
        mac(MAC_B, "192.0.2.2");
        sync(fdb);
        assertEquals(List.of("flood 192.0.2.4", "unflood 192.0.2.3"), sink.take());

        fdb.reset(); // the device was made again
        sync(fdb);
        assertEquals(List.of("flood 192.0.2.2", "flood 192.0.2.4", "unicast 02:00:00:00:00:0b 192.0.2.2"),
                sink.take());
    }

    @Test
    void malformedKeysAndValuesAreSkippedAndCounted() {
        FdbReconciler fdb = new FdbReconciler("vx", List.of());
        host("192.0.2.2");
        mac(MAC_B, "192.0.2.2");
        put(KEYS.vni(VNI) + "hosts/192.0.2.5", "{\"address\":\"192.0.2.6\"}"); // key and value disagree
        put(KEYS.vni(VNI) + "hosts/x", "not json");
        put(KEYS.vni(VNI) + "hosts/2001:db8::1", "{\"address\":\"2001:db8::1\"}"); // another family
        put(KEYS.vni(VNI) + "hosts/example.com", "{\"address\":\"example.com\"}"); // never looked up
        put(KEYS.vni(VNI) + "macs/ff:ff:ff:ff:ff:ff", "{\"address\":\"192.0.2.2\"}"); // broadcast
        put(KEYS.vni(VNI) + "macs/02-00-00-00-00-0c", "{\"address\":\"192.0.2.2\"}");
        put(KEYS.vni(VNI) + "macs/02:00:00:00:00:0d", "{\"address\":5}");
        put(KEYS.vni(VNI) + "other/thing", "{}");
        put("/elsewhere/x", "{}");
        put(KEYS.vni(VNI) + "hosts/192.0.2.7", new String(new byte[] {(byte) 0xff, 0}, StandardCharsets.ISO_8859_1));
        assertEquals(10, view.malformed());
        sync(fdb);
        assertEquals(List.of("flood 192.0.2.2", "unicast 02:00:00:00:00:0b 192.0.2.2"), sink.take());

        put(KEYS.host(VNI, "192.0.2.2"), "{\"address\":\"garbage\"}"); // a good key turned bad takes its host back
        sync(fdb);
        assertEquals(List.of("unflood 192.0.2.2", "remove 02:00:00:00:00:0b"), sink.take());
    }

    @Test
    void aRefusedWriteIsTriedAgainAtTheNextSync() {
        FdbReconciler fdb = new FdbReconciler("vx", List.of());
        host("192.0.2.2");
        sink.failing = true;
        assertEquals(1, fdb.sync(view.peers(), view.unicast(), sink));
        sink.failing = false;
        sink.take();
        sync(fdb);
        assertEquals(List.of("flood 192.0.2.2"), sink.take());
    }

    private void sync(FdbReconciler fdb) {
        assertEquals(0, fdb.sync(view.peers(), view.unicast(), sink));
    }

    private void host(String address) {
        put(KEYS.host(VNI, address), "{\"address\":\"" + address + "\"}");
    }

    private void mac(long mac, String address) {
        put(KEYS.mac(VNI, mac), "{\"address\":\"" + address + "\",\"vlan\":0}");
    }

    private void put(String key, String value) {
        view.put(key, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Records writes in order, as text. */
    private static final class RecordingSink implements FdbSink {
        private final List<String> writes = new ArrayList<>();
        boolean failing;

        List<String> take() {
            List<String> out = List.copyOf(writes);
            writes.clear();
            return out;
        }

        private void record(String w) {
            writes.add(w);
            if (failing) {
                throw new IllegalStateException("refused");
            }
        }

        @Override
        public void flood(String address) {
            record("flood " + address);
        }

        @Override
        public void unflood(String address) {
            record("unflood " + address);
        }

        @Override
        public void unicast(long mac, String address) {
            record("unicast " + MacAddress.format(mac) + " " + address);
        }

        @Override
        public void removeUnicast(long mac) {
            record("remove " + MacAddress.format(mac));
        }
    }
}

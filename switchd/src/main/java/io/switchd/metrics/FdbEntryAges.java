package io.switchd.metrics;

import io.switchd.bridge.Bridge;
import io.switchd.fdb.MacTable;
import io.switchd.port.Port;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * The family {@code switchd_fdb_entry_age_seconds}, one sample per MAC table entry, written
 * straight into a scrape's output. Through Micrometer every entry was a meter of its own on every
 * scrape (row, tags, id, labels, snapshot: about 600 bytes each), and the young collections that
 * garbage set off paused every forwarding loop. Here the entries are copied into arrays kept from
 * one scrape to the next and written from them, so a scrape allocates nothing per entry.
 *
 * <p>The text is what Micrometer wrote: the same HELP and TYPE lines, the labels in its order (by
 * name), the samples in its order (by label values: bridge, mac, port, type, then vlan as text)
 * and the values as it formatted them. Not thread-safe: one scrape at a time.
 */
final class FdbEntryAges implements MacTable.EntryVisitor {
    static final String NAME = "switchd_fdb_entry_age_seconds";
    private static final String HELP = "Seconds since the station was last seen, one series per MAC table entry";
    private static final String UNKNOWN_PORT = "?";

    private final ExpositionWriter text = new ExpositionWriter();
    /** The port names of the bridge being collected, by port index; empty in between. */
    private String[] portNames = new String[0];
    private String bridgeName;

    private int rows;
    private String[] bridge = new String[0];
    private long[] mac = new long[0];
    private int[] vlan = new int[0];
    private String[] port = new String[0];
    private boolean[] isStatic = new boolean[0];
    private long[] ageMillis = new long[0];
    /** Row numbers in the order they are written. */
    private int[] order = new int[0];

    /**
     * Takes at most {@code limit} live entries as of {@code now} from {@code bridges}, in the
     * bridges' order and each table's order (the cap falls where it fell before); returns how many.
     */
    int collect(List<Bridge> bridges, long now, int limit) {
        rows = 0;
        for (Bridge b : bridges) {
            if (rows >= limit) {
                break;
            }
            bridgeName = b.name();
            List<Port> ports = b.ports();
            for (Port p : ports) {
                if (p.index() >= portNames.length) {
                    portNames = Arrays.copyOf(portNames, p.index() + 1);
                }
                portNames[p.index()] = p.name();
            }
            b.fdb().forEach(now, limit - rows, this);
            Arrays.fill(portNames, null);
        }
        bridgeName = null;
        sort();
        return rows;
    }

    @Override
    public void entry(int vlan, long mac, int port, boolean isStatic, long ageMillis) {
        if (rows == order.length) {
            grow();
        }
        String name = port < portNames.length ? portNames[port] : null;
        this.bridge[rows] = bridgeName;
        this.mac[rows] = mac;
        this.vlan[rows] = vlan;
        this.port[rows] = name == null ? UNKNOWN_PORT : name;
        this.isStatic[rows] = isStatic;
        this.ageMillis[rows] = ageMillis;
        rows++;
    }

    private void grow() {
        int n = Math.max(64, order.length * 2);
        bridge = Arrays.copyOf(bridge, n);
        mac = Arrays.copyOf(mac, n);
        vlan = Arrays.copyOf(vlan, n);
        port = Arrays.copyOf(port, n);
        isStatic = Arrays.copyOf(isStatic, n);
        ageMillis = Arrays.copyOf(ageMillis, n);
        order = Arrays.copyOf(order, n);
    }

    /** Writes the family's lines for the rows last collected; nothing at all when there are none. */
    void writeTo(OutputStream out) throws IOException {
        if (rows == 0) {
            return; // as an empty MultiGauge: no HELP and TYPE either
        }
        ExpositionWriter w = text;
        w.start(out);
        w.ascii("# HELP ").ascii(NAME).ascii(' ').ascii(HELP).ascii('\n');
        w.ascii("# TYPE ").ascii(NAME).ascii(" gauge\n");
        for (int k = 0; k < rows; k++) {
            int i = order[k];
            w.ascii(NAME).ascii("{bridge=\"").labelValue(bridge[i])
                    .ascii("\",mac=\"").mac(mac[i])
                    .ascii("\",port=\"").labelValue(port[i])
                    .ascii("\",type=\"").ascii(isStatic[i] ? "static" : "learned")
                    .ascii("\",vlan=\"").decimal(vlan[i])
                    .ascii("\"} ").seconds(ageMillis[i]).ascii('\n');
        }
        w.finish();
    }

    /** Heapsort of {@link #order}: in place, so sorting allocates nothing either. */
    private void sort() {
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows / 2 - 1; i >= 0; i--) {
            siftDown(i, rows);
        }
        for (int end = rows - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void siftDown(int i, int n) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && compare(order[child + 1], order[child]) > 0) {
                child++;
            }
            if (compare(order[i], order[child]) >= 0) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void swap(int i, int j) {
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }

    /** Rows as their label values compare as text; a MAC's text compares as its number does. */
    private int compare(int a, int b) {
        int c = bridge[a] == bridge[b] ? 0 : bridge[a].compareTo(bridge[b]);
        if (c == 0) {
            c = Long.compare(mac[a], mac[b]);
        }
        if (c == 0) {
            c = port[a].compareTo(port[b]);
        }
        if (c == 0) {
            c = Boolean.compare(isStatic[a], isStatic[b]); // "learned" before "static"
        }
        return c != 0 ? c : compareAsText(vlan[a], vlan[b]);
    }

    /** Compares two non-negative numbers as their decimal text compares: "10" before "9". */
    static int compareAsText(int a, int b) {
        int da = digits(a);
        int db = digits(b);
        if (da == db) {
            return Integer.compare(a, b);
        }
        if (da < db) {
            int prefix = b / pow10(db - da);
            return a != prefix ? Integer.compare(a, prefix) : -1;
        }
        int prefix = a / pow10(da - db);
        return prefix != b ? Integer.compare(prefix, b) : 1;
    }

    private static int digits(int v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    private static int pow10(int n) {
        int p = 1;
        while (n-- > 0) {
            p *= 10;
        }
        return p;
    }
}

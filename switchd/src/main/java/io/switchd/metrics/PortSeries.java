package io.switchd.metrics;

import io.switchd.bridge.Bridge;
import io.switchd.config.PortType;
import io.switchd.port.DropReason;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.PortState;
import io.switchd.stp.StpState;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The families of the ports ({@code switchd_port_*}, and {@code switchd_stp_*} per port), written straight into a scrape's output from
 * the counters the data path keeps. As Micrometer meters every port had 30 of them (a counter per
 * drop reason), each costing some 5 KB of garbage a scrape in snapshots, label checks and the
 * client library's unbuffered writer: 150 KB a port, 30 MB a scrape for 200 ports. Written here
 * they cost nothing per port, and a port is shown under the name it has at the scrape, whatever
 * came and went since the last one.
 *
 * <p>The text is what Micrometer wrote: the same HELP and TYPE lines, labels by name, samples by
 * label values, values as the client library formats them. Not thread-safe: one scrape at a time.
 */
final class PortSeries {
    /** The drop reasons in the order their samples are written: rx ones, then tx; each by label. */
    private static final DropReason[] DROPS = Arrays.stream(DropReason.values())
            .sorted(Comparator.comparing((DropReason r) -> r.egress()).thenComparing(DropReason::label))
            .toArray(DropReason[]::new);
    /** Where the tx reasons start in {@link #DROPS}. */
    private static final int FIRST_TX = (int) Arrays.stream(DROPS).filter(r -> !r.egress()).count();
    private static final PortState[] STATES = Arrays.stream(PortState.values())
            .sorted(Comparator.comparing(PortState::displayName)).toArray(PortState[]::new);
    private static final String[] STATE_NAMES = Arrays.stream(STATES).map(PortState::displayName).toArray(String[]::new);
    private static final StpState[] STP_STATES = Arrays.stream(StpState.values())
            .sorted(Comparator.comparing(StpState::label)).toArray(StpState[]::new);

    private static final String DROPPED = "switchd_port_dropped_frames_total";

    private static final String VXLAN_PEERS = "switchd_vxlan_peers";

    private final ExpositionWriter text = new ExpositionWriter();
    /** A vxlan port's static remotes (its flood list from config or API); negative for other ports. */
    private final ToIntFunction<Port> staticPeers;
    private int count;
    private String[] bridges = new String[0];
    private String[] names = new String[0];
    private Port[] ports = new Port[0];

    /** Series for ports with no vxlan peers to tell of. */
    PortSeries() {
        this(p -> -1);
    }

    /** Series whose vxlan ports' peers {@code staticPeers} counts. */
    PortSeries(ToIntFunction<Port> staticPeers) {
        this.staticPeers = staticPeers;
    }

    /** Takes the ports of {@code bridges} as they are now: their names, in the order they are written. */
    void collect(List<Bridge> list) {
        count = 0;
        for (Bridge b : list) {
            for (Port p : b.ports()) {
                if (count == ports.length) {
                    int n = Math.max(16, count * 2);
                    bridges = Arrays.copyOf(bridges, n);
                    names = Arrays.copyOf(names, n);
                    ports = Arrays.copyOf(ports, n);
                }
                bridges[count] = b.name();
                names[count] = p.name();
                ports[count] = p;
                count++;
            }
        }
        sort();
        Arrays.fill(ports, count, ports.length, null); // a removed port is not kept alive here
    }

    /** Insertion sort by bridge, then port name: ports are few, and it allocates nothing. */
    private void sort() {
        for (int i = 1; i < count; i++) {
            String b = bridges[i];
            String n = names[i];
            Port p = ports[i];
            int j = i - 1;
            while (j >= 0 && compare(bridges[j], names[j], b, n) > 0) {
                bridges[j + 1] = bridges[j];
                names[j + 1] = names[j];
                ports[j + 1] = ports[j];
                j--;
            }
            bridges[j + 1] = b;
            names[j + 1] = n;
            ports[j + 1] = p;
        }
    }

    private static int compare(String bridgeA, String nameA, String bridgeB, String nameB) {
        int c = bridgeA.compareTo(bridgeB);
        return c != 0 ? c : nameA.compareTo(nameB);
    }

    /** Writes the families for the ports last collected; nothing when there are none. */
    void writeTo(OutputStream out) throws IOException {
        if (count == 0) {
            return;
        }
        ExpositionWriter w = text;
        w.start(out);
        writeDrops(w);
        writeCounter(w, "switchd_port_rx_bytes_total", "Bytes read from the port", PortCounters.RX_BYTES);
        writeCounter(w, "switchd_port_rx_frames_total", "Frames read from the port", PortCounters.RX_FRAMES);
        writeStates(w);
        writeCounter(w, "switchd_port_tx_bytes_total", "Bytes written to the port", PortCounters.TX_BYTES);
        writeCounter(w, "switchd_port_tx_frames_total", "Frames written to the port", PortCounters.TX_FRAMES);
        head(w, "switchd_port_up", "1 while the port forwards", "gauge");
        for (int i = 0; i < count; i++) {
            labels(w, "switchd_port_up", i).ascii("} ").ascii(ports[i].state() == PortState.UP ? "1.0" : "0.0").ascii('\n');
        }
        writeBpdus(w);
        writeStpStates(w);
        writeVxlanPeers(w);
        w.finish();
    }

    private void writeBpdus(ExpositionWriter w) throws IOException {
        String name = "switchd_stp_bpdus_total";
        head(w, name, "BPDUs the spanning tree heard and sent on the port", "counter");
        int first = 0;
        while (first < count) { // one bridge at a time, as the drops: rx of every port, then tx
            int end = first;
            while (end < count && bridges[end].equals(bridges[first])) {
                end++;
            }
            for (int d = 0; d < 2; d++) {
                for (int i = first; i < end; i++) {
                    w.ascii(name).ascii("{bridge=\"").labelValue(bridges[i]).ascii("\",direction=\"").ascii(d == 0 ? "rx" : "tx")
                            .ascii("\",port=\"").labelValue(names[i]).ascii("\"} ")
                            .count(ports[i].counters().get(d == 0 ? PortCounters.RX_BPDUS : PortCounters.TX_BPDUS)).ascii('\n');
                }
            }
            first = end;
        }
    }

    /** Each vxlan port's peer count by source (static: its remotes); no family when there is no vxlan port. */
    private void writeVxlanPeers(ExpositionWriter w) throws IOException {
        boolean headed = false;
        for (int i = 0; i < count; i++) {
            int n = ports[i].type() == PortType.VXLAN ? staticPeers.applyAsInt(ports[i]) : -1;
            if (n < 0) {
                continue;
            }
            if (!headed) {
                head(w, VXLAN_PEERS, "Remote hosts a vxlan port floods to, by where they come from (static: its remotes)",
                        "gauge");
                headed = true;
            }
            labels(w, VXLAN_PEERS, i).ascii(",source=\"static\"} ").count(n).ascii('\n');
        }
    }

    private void writeStpStates(ExpositionWriter w) throws IOException {
        String name = "switchd_stp_port_state";
        head(w, name, "1 for the state the spanning tree gives the port: discarding, learning, forwarding "
                + "(always forwarding on a bridge that runs none)", "gauge");
        for (int i = 0; i < count; i++) {
            StpState now = ports[i].stpState();
            for (StpState s : STP_STATES) {
                labels(w, name, i).ascii(",state=\"").ascii(s.label()).ascii("\"} ").ascii(now == s ? "1.0" : "0.0").ascii('\n');
            }
        }
    }

    private void writeDrops(ExpositionWriter w) throws IOException {
        head(w, DROPPED, "Frames dropped, by direction and reason", "counter");
        int first = 0;
        while (first < count) { // one bridge at a time: its rx drops of every port, then its tx drops
            int end = first;
            while (end < count && bridges[end].equals(bridges[first])) {
                end++;
            }
            writeDrops(w, first, end, "rx", 0, FIRST_TX);
            writeDrops(w, first, end, "tx", FIRST_TX, DROPS.length);
            first = end;
        }
    }

    /** The drops of ports {@code first} to {@code end} (one bridge's) for the reasons from {@code from} to {@code to}. */
    private void writeDrops(ExpositionWriter w, int first, int end, String direction, int from, int to)
            throws IOException {
        for (int i = first; i < end; i++) {
            for (int r = from; r < to; r++) {
                w.ascii(DROPPED).ascii("{bridge=\"").labelValue(bridges[i]).ascii("\",direction=\"").ascii(direction)
                        .ascii("\",port=\"").labelValue(names[i]).ascii("\",reason=\"").ascii(DROPS[r].label())
                        .ascii("\"} ").count(ports[i].counters().get(PortCounters.drop(DROPS[r]))).ascii('\n');
            }
        }
    }

    private void writeStates(ExpositionWriter w) throws IOException {
        String name = "switchd_port_state";
        head(w, name, "1 for the port's current state: up, down (link), absent (no interface), admin-down", "gauge");
        for (int i = 0; i < count; i++) {
            PortState now = ports[i].state();
            for (int s = 0; s < STATES.length; s++) {
                labels(w, name, i).ascii(",state=\"").ascii(STATE_NAMES[s]).ascii("\"} ")
                        .ascii(now == STATES[s] ? "1.0" : "0.0").ascii('\n');
            }
        }
    }

    private void writeCounter(ExpositionWriter w, String name, String help, int id) throws IOException {
        head(w, name, help, "counter");
        for (int i = 0; i < count; i++) {
            labels(w, name, i).ascii("} ").count(ports[i].counters().get(id)).ascii('\n');
        }
    }

    private static void head(ExpositionWriter w, String name, String help, String type) throws IOException {
        w.ascii("# HELP ").ascii(name).ascii(' ').ascii(help).ascii('\n');
        w.ascii("# TYPE ").ascii(name).ascii(' ').ascii(type).ascii('\n');
    }

    /** The sample's name and its bridge and port labels, the brace left open. */
    private ExpositionWriter labels(ExpositionWriter w, String name, int i) throws IOException {
        return w.ascii(name).ascii("{bridge=\"").labelValue(bridges[i]).ascii("\",port=\"").labelValue(names[i]).ascii('"');
    }
}

package io.switchd.bridge;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.netty.buffer.ByteBuf;
import io.switchd.config.BridgeConfig;
import io.switchd.config.MirrorConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.frame.MacAddress;
import io.switchd.port.DropReason;
import io.switchd.port.MemoryPort;
import io.switchd.port.PortCounters;
import io.switchd.port.PortState;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A bridge over memory ports whose size, ports, policies and static entries the fuzzer chooses,
 * and the checks run on every frame sent into it: the frame is either forwarded as a model of
 * the bridge says (to exactly the ports it should reach, in their VLAN form, with the virtio-net
 * header offsets moved with the tag) or dropped and counted under exactly one reason; it never
 * leaves by its ingress port, a down port or a port outside its VLAN; the MAC table never holds
 * more than its size nor a port more learned addresses than its limit; each mirror's output gets
 * exactly the copies {@link MirrorModel}s say, counted on the mirror, and takes no part in
 * forwarding. The clock stands still
 * (the loop context is never ticked), so storm buckets never refill and nothing ages: a run is
 * the same every time.
 */
final class FuzzedBridge {
    private static final int STRIPES = 2;
    /** Where frames are put in the buffer: the ports leave this much room for a tag. */
    private static final int OFFSET = 4;
    private static final int VNET = 10;
    private static final int NEEDS_CSUM = 1;
    private static final int MTU = 1500;
    /** At most this many mirrors at once: enough for two to share a frame or a selected port. */
    private static final int MIRROR_SLOTS = 3;
    /** VLANs a mirror may select, VLAN 0 (a transparent port's untagged frames) among them. */
    private static final int[] MIRROR_VLANS = {0, 1, 2, 3, 100, 4094};
    private static final long[] HOSTS = {0x0200_0000_0001L, 0x0200_0000_0002L, 0x0200_0000_0003L, 0x0a00_0000_0004L};

    private final Bridge bridge;
    private final int tableSize;
    private final int mask;
    private final MemoryPort[] ports;
    private final PortModel[] models;
    private final List<Sent> sent = new ArrayList<>();
    /** The mirrors the fuzzer set up, by slot; null where a slot is free. */
    private final MirrorModel[] mirrors = new MirrorModel[MIRROR_SLOTS];
    private final LoopContext ctx;

    /** One frame as it left a port: the port's index and its bytes, virtio-net header first. */
    private record Sent(int port, byte[] bytes) {}

    private FuzzedBridge(FuzzedDataProvider d, LoopContext ctx) {
        this.ctx = ctx;
        this.tableSize = d.consumeInt(1, 8);
        this.mask = d.consumeInt(0, 0xFFFF);
        this.bridge = new Bridge(new BridgeConfig("fz", Duration.ofMinutes(5), tableSize, mask, List.of(), List.of()),
                STRIPES);
        int n = d.consumeInt(2, 5);
        ports = new MemoryPort[n];
        models = new PortModel[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            ports[i] = new MemoryPort("p" + i, STRIPES, (buf, offset, length) -> {
                byte[] b = new byte[length];
                buf.getBytes(offset, b);
                sent.add(new Sent(index, b));
            });
            models[i] = PortModel.pick(d);
            ports[i].policy(models[i].policy);
            bridge.add(ports[i]);
        }
        bridge.portsChanged();
        for (int k = d.consumeInt(0, 3); k > 0; k--) {
            int vlan = d.consumeBoolean() ? 0 : d.pickValue(PortModel.VLANS);
            bridge.fdb().putStatic(FdbKey.of(vlan, d.pickValue(HOSTS)), d.consumeInt(0, n - 1));
        }
    }

    /** A bridge as {@code d} describes it, reading frames through {@code ctx}. */
    static FuzzedBridge build(FuzzedDataProvider d, LoopContext ctx) {
        return new FuzzedBridge(d, ctx);
    }

    /** Sets a port up or down, as a link change or the operator would. */
    void changeState(FuzzedDataProvider d) {
        ports[d.consumeInt(0, ports.length - 1)].setState(d.pickValue(PortState.values()));
    }

    /** Gives a port new settings, forgetting what it learned, as the API does. */
    void changePolicy(FuzzedDataProvider d) {
        int i = d.consumeInt(0, ports.length - 1);
        models[i] = PortModel.pick(d);
        ports[i].policy(models[i].policy);
        bridge.forget(ports[i]);
    }

    /**
     * Sets up, replaces or removes the mirror in a slot the fuzzer picks, as the API or a reload
     * would: its selected ports (any, the output or a name not on the bridge among them), VLANs and
     * output. A mirror whose output another mirror has is taken away, as the configuration refuses
     * two mirrors with one output.
     */
    void changeMirrors(FuzzedDataProvider d) {
        int slot = d.consumeInt(0, MIRROR_SLOTS - 1);
        if (d.consumeInt(0, 3) == 0) {
            mirrors[slot] = null;
        } else {
            int n = ports.length;
            // n: a name not on the bridge
            int output = d.consumeInt(0, 7) == 0 ? n : d.consumeInt(0, n - 1);
            Set<Integer> ingress = new TreeSet<>();
            Set<Integer> egress = new TreeSet<>();
            for (int p = 0; p <= n; p++) {
                if (d.consumeInt(0, 2) == 0) {
                    ingress.add(p);
                }
                if (d.consumeInt(0, 2) == 0) {
                    egress.add(p);
                }
            }
            Set<Integer> vlans = new TreeSet<>();
            if (d.consumeBoolean()) {
                for (int v : MIRROR_VLANS) {
                    if (d.consumeBoolean()) {
                        vlans.add(v);
                    }
                }
            }
            for (int k = 0; k < MIRROR_SLOTS; k++) {
                if (k != slot && mirrors[k] != null && mirrors[k].output() == output) {
                    mirrors[k] = null;
                }
            }
            mirrors[slot] = new MirrorModel("m" + slot, ingress, egress, vlans, output);
        }
        List<MirrorConfig> configs = new ArrayList<>();
        for (MirrorModel m : mirrors) {
            if (m != null) {
                configs.add(m.config());
            }
        }
        bridge.mirrors(configs);
    }

    /** Whether port {@code p} is the output of a mirror: out of forwarding, its received frames dropped. */
    private boolean isOutput(int p) {
        for (MirrorModel m : mirrors) {
            if (m != null && m.output() == p) {
                return true;
            }
        }
        return false;
    }

    /** Each running mirror's copy count, by name. */
    private Map<String, Long> mirrorCopies() {
        Map<String, Long> out = new HashMap<>();
        for (Mirror m : bridge.mirrors()) {
            out.put(m.name(), m.copies());
        }
        return out;
    }

    /** Runs the maintenance thread's ageing pass, which compacts the table when it was found full. */
    void age() {
        bridge.fdb().age(ctx.now());
        expect(bridge.fdb().size(ctx.now()) <= tableSize, "the MAC table holds more than its size after ageing");
    }

    /** Sends one frame the fuzzer makes into a port it picks, and checks what the bridge did with it. */
    void send(FuzzedDataProvider d) {
        int in = d.consumeInt(0, ports.length - 1);
        byte[] frame = d.consumeBoolean() ? rawFrame(d) : frame(d);
        long[] before = snapshot();
        long floodedBefore = bridge.counters().get(Bridge.C_FLOODED);
        long fullBefore = bridge.fdb().counters().get(MacTable.C_FULL);
        Map<String, Long> copiesBefore = mirrorCopies();
        sent.clear();
        ByteBuf buf = ctx.buffer();
        buf.setBytes(OFFSET, frame);
        ports[in].inject(buf, OFFSET, frame.length, ctx);
        check(in, frame, before, bridge.counters().get(Bridge.C_FLOODED) - floodedBefore,
                bridge.fdb().counters().get(MacTable.C_FULL) > fullBefore, copiesBefore);
    }

    private static byte[] rawFrame(FuzzedDataProvider d) {
        byte[] vnet = Arrays.copyOf(d.consumeBytes(VNET), VNET);
        byte[] eth = d.consumeBytes(d.consumeInt(0, 80));
        ByteBuffer b = ByteBuffer.allocate(VNET + eth.length);
        return b.put(vnet).put(eth).array();
    }

    /** A frame built field by field, so the fuzzer reaches every branch without guessing checksums of bytes. */
    private static byte[] frame(FuzzedDataProvider d) {
        long dst = mac(d);
        long src = mac(d);
        int tpid = d.pickValue(new int[] {0, 0x8100, 0x88A8});
        int tci = d.consumeBoolean() ? (d.consumeInt(0, 7) << 13) | d.pickValue(new int[] {0, 1, 2, 3, 100, 4094, 4095, 5})
                : d.consumeShort() & 0xFFFF;
        int type = d.consumeBoolean() ? 0x0800 : d.consumeShort() & 0xFFFF;
        int payload = d.consumeBoolean() ? d.consumeInt(0, 64) : d.consumeInt(0, MTU + 8);
        int header = 14 + (tpid != 0 ? 4 : 0);
        ByteBuffer b = ByteBuffer.allocate(VNET + header + payload);
        // the virtio-net header as the kernel writes it (offsets inside the frame) or anything at all
        if (d.consumeBoolean()) {
            b.put(Arrays.copyOf(d.consumeBytes(VNET), VNET));
        } else {
            int flags = d.consumeBoolean() ? NEEDS_CSUM : 0;
            int gso = d.consumeBoolean() ? 0 : d.pickValue(new int[] {1, 3, 4, 0x81});
            int length = header + payload;
            b.put((byte) flags).put((byte) gso);
            b.putShort(Short.reverseBytes((short) (d.consumeBoolean() ? 0 : d.consumeInt(header, length))));
            b.putShort(Short.reverseBytes((short) (gso == 0 ? 0 : d.consumeInt(1, 9000))));
            b.putShort(Short.reverseBytes((short) (flags == 0 ? 0 : d.consumeInt(header, length))));
            b.putShort(Short.reverseBytes((short) (flags == 0 ? 0 : d.pickValue(new int[] {6, 10, 16}))));
        }
        putMac(b, dst);
        putMac(b, src);
        if (tpid != 0) {
            b.putShort((short) tpid).putShort((short) tci);
        }
        b.putShort((short) type);
        byte fill = d.consumeByte();
        while (b.hasRemaining()) {
            b.put(fill++);
        }
        return b.array();
    }

    private static long mac(FuzzedDataProvider d) {
        switch (d.consumeInt(0, 6)) {
            case 0:
                return MacAddress.BROADCAST;
            case 1:
                return 0x0100_5e00_0001L;
            case 2:
                return MacAddress.LINK_LOCAL_BASE | d.consumeInt(0, 15);
            case 3:
                return 0;
            case 4:
                return d.consumeLong() & MacAddress.BROADCAST;
            default:
                return d.pickValue(HOSTS);
        }
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    private long[] snapshot() {
        long[] c = new long[ports.length * PortCounters.COUNT];
        for (int p = 0; p < ports.length; p++) {
            for (int id = 0; id < PortCounters.COUNT; id++) {
                c[p * PortCounters.COUNT + id] = ports[p].counters().get(id);
            }
        }
        return c;
    }

    // ---- the checks ----

    private void check(int in, byte[] frame, long[] before, long flooded, boolean refused,
                       Map<String, Long> copiesBefore) {
        long[] after = snapshot();
        DropReason dropped = null;
        for (int p = 0; p < ports.length; p++) {
            for (DropReason r : DropReason.values()) {
                long delta = after[p * PortCounters.COUNT + PortCounters.drop(r)]
                        - before[p * PortCounters.COUNT + PortCounters.drop(r)];
                if (delta == 0) {
                    continue;
                }
                expect(p == in && delta == 1 && dropped == null && !r.egress(),
                        "port p" + p + " counted " + delta + " " + r.label() + " drop(s)" + (dropped == null ? "" : " after " + dropped));
                dropped = r;
            }
            long frames = after[p * PortCounters.COUNT + PortCounters.TX_FRAMES] - before[p * PortCounters.COUNT + PortCounters.TX_FRAMES];
            long bytes = after[p * PortCounters.COUNT + PortCounters.TX_BYTES] - before[p * PortCounters.COUNT + PortCounters.TX_BYTES];
            long sentFrames = 0;
            long sentBytes = 0;
            for (Sent s : sent) {
                if (s.port == p) {
                    sentFrames++;
                    sentBytes += s.bytes.length - VNET;
                }
            }
            expect(frames == sentFrames && bytes == sentBytes, "p" + p + " counted " + frames + " frames, "
                    + bytes + " bytes sent; it sent " + sentFrames + ", " + sentBytes);
        }
        expect(after[in * PortCounters.COUNT + PortCounters.RX_FRAMES] - before[in * PortCounters.COUNT + PortCounters.RX_FRAMES] == 1,
                "the ingress port counts the frame received");
        expect(flooded == 0 || flooded == 1, "flooded " + flooded + " times");
        // copies to mirror outputs aside: a frame dropped after the ingress mirrors took it still has its copies
        int forwarded = 0;
        for (Sent s : sent) {
            if (!isOutput(s.port)) {
                forwarded++;
            }
        }
        if (dropped != null) {
            expect(forwarded == 0 && flooded == 0, "a frame dropped for " + dropped.label() + " was sent too");
        } else {
            expect(flooded == 1 || forwarded == 1, "a frame neither dropped nor flooded went to " + forwarded + " ports");
        }
        Decision want = decide(in, frame, dropped == DropReason.MAC_LIMIT);
        expect(bridge.fdb().size(ctx.now()) <= tableSize, "the MAC table holds more than its size " + tableSize);
        if (want.drop != null) {
            expect(want.drop == dropped, "expected a " + want.drop.label() + " drop, got "
                    + (dropped == null ? "it sent to " + forwarded + " port(s)" : dropped.label()));
        } else {
            expect(dropped == null, "dropped for " + dropped + ", which the model does not allow here");
            expect(want.flood == (flooded == 1), want.flood ? "should have flooded" : "should have gone to one port");
            checkLearned(in, want.vlan, macAt(frame, VNET + 6), refused);
        }
        int[] owed = checkMirrorCopies(in, want, copiesBefore);
        for (MirrorModel m : mirrors) {
            // an output forgot what it learned when it became one, and learns nothing while it is one
            expect(m == null || m.output() >= ports.length || learnedOn(m.output()) == 0,
                    "mirror " + (m == null ? "" : m.name()) + "'s output has learned addresses");
        }
        for (int p = 0; p < ports.length; p++) {
            int count = 0;
            for (Sent s : sent) {
                if (s.port == p) {
                    count++;
                }
            }
            boolean reached = reaches(in, p, want);
            int expected = isOutput(p) ? owed[p] : reached ? 1 : 0;
            expect(count == expected, "p" + p + " got " + count + " copies; the model says " + expected
                    + " (vlan " + want.vlan + ", " + (want.drop != null ? "dropped for " + want.drop.label()
                    : want.flood ? "flood" : "to p" + want.egress) + (isOutput(p) ? ", a mirror output" : "") + ")");
            for (Sent s : sent) {
                if (s.port == p) {
                    checkForm(p, frame, s.bytes, want.vlan);
                }
            }
        }
    }

    /** Whether the bridge forwards the frame {@code want} describes to port {@code p} (mirror copies aside). */
    private boolean reaches(int in, int p, Decision want) {
        return want.drop == null && (want.flood ? floodsTo(in, p, want) : p == want.egress);
    }

    /**
     * The copies each port is owed by the mirrors for a frame from {@code in} that the bridge
     * handled as {@code want} says, by port index, after checking each mirror's count moved by
     * its copy. OVS semantics: a mirror copies a frame once at most, when the frame reached the
     * point after VLAN classification (and learning) where ingress mirrors take it and either came
     * in on a port it selects or was sent to one, in the VLAN it selects, to an output that is up;
     * the copy then leaves in the form the output gives that VLAN.
     */
    private int[] checkMirrorCopies(int in, Decision want, Map<String, Long> copiesBefore) {
        int[] owed = new int[ports.length + 1];
        Map<String, Long> after = mirrorCopies();
        for (MirrorModel m : mirrors) {
            if (m == null) {
                continue;
            }
            boolean selected = m.ingress().contains(in);
            for (int p = 0; p < ports.length; p++) {
                selected |= m.egress().contains(p) && reaches(in, p, want);
            }
            int out = m.output();
            boolean copied = want.vlan >= 0 && selected && m.selectsVlan(want.vlan)
                    && out < ports.length && ports[out].state() == PortState.UP;
            if (copied) {
                owed[out]++;
            }
            long delta = after.getOrDefault(m.name(), 0L) - copiesBefore.getOrDefault(m.name(), 0L);
            expect(delta == (copied ? 1 : 0), "mirror " + m.name() + " counted " + delta + " copies; the model says "
                    + (copied ? 1 : 0));
        }
        return owed;
    }

    /**
     * What the bridge must do with a frame: drop it for a reason, flood it, or send it to one port.
     * {@code vlan} is the VLAN the frame was classified into once it passed the ingress checks and
     * learning, where the ingress mirrors take it; -1 if it was dropped before.
     */
    private record Decision(DropReason drop, int vlan, boolean flood, boolean unknownUnicast, int egress) {
        static Decision dropFor(DropReason r) {
            return new Decision(r, -1, false, false, -1);
        }

        /** Dropped for {@code r} after the ingress mirrors took the frame in {@code vlan}. */
        static Decision dropAt(DropReason r, int vlan) {
            return new Decision(r, vlan, false, false, -1);
        }
    }

    /** The MAC address at {@code at} in {@code frame}. */
    private static long macAt(byte[] frame, int at) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        return ((long) b.getShort(at) & 0xFFFF) << 32 | (b.getInt(at + 2) & 0xFFFF_FFFFL);
    }

    /**
     * What the bridge must do with {@code frame} from port {@code in}, judged after the fact: the
     * MAC table is read as the frame left it (its source learned), and {@code macLimited} says the
     * bridge refused the source at the port's MAC limit, which the model then checks was due.
     */
    private Decision decide(int in, byte[] frame, boolean macLimited) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int length = frame.length - VNET;
        PortModel m = models[in];
        if (length < 14) {
            return Decision.dropFor(DropReason.RUNT);
        }
        if (isOutput(in)) {
            return Decision.dropFor(DropReason.MIRROR_OUTPUT);
        }
        if (ports[in].state() != PortState.UP) {
            return Decision.dropFor(DropReason.PORT_DOWN);
        }
        long dst = macAt(frame, VNET);
        long src = macAt(frame, VNET + 6);
        if ((src & 0x0100_0000_0000L) != 0) {
            return Decision.dropFor(DropReason.SOURCE_MULTICAST);
        }
        if (src == 0) {
            return Decision.dropFor(DropReason.SOURCE_ZERO);
        }
        int type = b.getShort(VNET + 12) & 0xFFFF;
        boolean tagged = type == 0x8100 || type == 0x88A8;
        int tagVid = -1;
        if (tagged) {
            if (length < 18) {
                return Decision.dropFor(DropReason.VLAN_TRUNCATED);
            }
            tagVid = b.getShort(VNET + 14) & 0xFFF;
            if (tagVid == 0xFFF) {
                return Decision.dropFor(DropReason.VLAN_INVALID);
            }
        }
        if (length > MTU + 14 + (tagged ? 4 : 0) && frame[1] == 0) {
            return Decision.dropFor(DropReason.OVERSIZE);
        }
        int vlan = m.classify(tagVid);
        if (vlan < 0) {
            return Decision.dropFor(m.mode == PortModel.ACCESS ? DropReason.VLAN_TAGGED_ON_ACCESS : DropReason.VLAN_NOT_MEMBER);
        }
        if (m.locked && bridge.fdb().lookupStatic(FdbKey.of(vlan, src)) != in) {
            return Decision.dropFor(DropReason.LOCKED);
        }
        if (macLimited) {
            expect(m.learning && !m.locked && m.macLimit > 0 && learnedOn(in) >= m.macLimit,
                    "refused at the MAC limit, but p" + in + " has " + learnedOn(in) + " of " + m.macLimit);
            return Decision.dropFor(DropReason.MAC_LIMIT);
        }
        if ((dst & 0x0100_0000_0000L) != 0) {
            int bit = (int) (dst & 0xF);
            // with no STP running, BPDUs (bit 0) are flooded whatever the mask says
            if ((dst & ~0xFL) == MacAddress.LINK_LOCAL_BASE && bit != 0 && (bit == 1 || (mask & (1 << bit)) == 0)) {
                return Decision.dropAt(DropReason.LINK_LOCAL, vlan);
            }
            boolean broadcast = dst == MacAddress.BROADCAST;
            if (!m.admit(broadcast ? 0 : 1)) {
                return Decision.dropAt(broadcast ? DropReason.STORM_BROADCAST : DropReason.STORM_MULTICAST, vlan);
            }
            return new Decision(null, vlan, true, false, -1);
        }
        // learning ran before this lookup: the table as it is now is the one the bridge looked in
        int out = bridge.fdb().lookup(FdbKey.of(vlan, dst), ctx.now());
        if (out == in) {
            return Decision.dropAt(DropReason.SAME_PORT, vlan);
        }
        // a mirror's output is no destination: a static entry naming it finds no port
        if (out < 0 || out >= ports.length || ports[out].state() != PortState.UP || isOutput(out)) {
            if (!m.admit(2)) {
                return Decision.dropAt(DropReason.STORM_UNKNOWN_UNICAST, vlan);
            }
            return new Decision(null, vlan, true, true, -1);
        }
        if (m.isolated && models[out].isolated) {
            return Decision.dropAt(DropReason.ISOLATED, vlan);
        }
        if (!models[out].carries(vlan)) {
            return Decision.dropAt(DropReason.VLAN_NOT_MEMBER, vlan);
        }
        return new Decision(null, vlan, false, false, out);
    }

    private int learnedOn(int port) {
        int n = 0;
        for (MacTable.Entry e : bridge.fdb().entries(ctx.now())) {
            if (!e.isStatic() && e.port() == port) {
                n++;
            }
        }
        return n;
    }

    /** A forwarded frame's source is learned on its port, unless the table refused it or a static entry holds it. */
    private void checkLearned(int in, int vlan, long src, boolean refused) {
        PortModel m = models[in];
        if (m.macLimit > 0) {
            expect(learnedOn(in) <= m.macLimit, "p" + in + " has " + learnedOn(in) + " learned addresses, over its limit "
                    + m.macLimit);
        }
        if (!m.learning || m.locked) {
            return;
        }
        long key = FdbKey.of(vlan, src);
        boolean learned = bridge.fdb().lookup(key, ctx.now()) == in;
        boolean held = bridge.fdb().lookupStatic(key) >= 0;
        expect(learned || held || refused, "the source of a forwarded frame was not learned on p" + in);
    }

    private boolean floodsTo(int in, int p, Decision want) {
        PortModel out = models[p];
        return p != in && ports[p].state() == PortState.UP && !isOutput(p) && out.carries(want.vlan)
                && !(models[in].isolated && out.isolated) && (!want.unknownUnicast || out.flood);
    }

    /**
     * The copy sent out of port {@code p} is the frame in {@code p}'s form of VLAN {@code vlan}:
     * the same addresses, EtherType and payload; a tag exactly when {@code p} tags that VLAN,
     * carrying the VLAN and the frame's own priority bits; virtio-net offsets moved with the tag.
     */
    private void checkForm(int p, byte[] in, byte[] out, int vlan) {
        ByteBuffer i = ByteBuffer.wrap(in);
        ByteBuffer o = ByteBuffer.wrap(out);
        int type = i.getShort(VNET + 12) & 0xFFFF;
        boolean inTagged = type == 0x8100 || type == 0x88A8;
        boolean outTagged = models[p].tagsOnEgress(vlan);
        int inHeader = VNET + 12 + (inTagged ? 4 : 0);
        int outHeader = VNET + 12 + (outTagged ? 4 : 0);
        expect(out.length - outHeader == in.length - inHeader, "p" + p + ": length " + out.length + " for " + in.length);
        expect(Arrays.equals(in, VNET, VNET + 12, out, VNET, VNET + 12), "p" + p + ": addresses changed");
        expect(Arrays.equals(in, inHeader, in.length, out, outHeader, out.length), "p" + p + ": EtherType or payload changed");
        if (outTagged) {
            int tpid = inTagged ? type : 0x8100;
            int tci = ((inTagged ? i.getShort(VNET + 14) : 0) & 0xF000) | vlan;
            expect((o.getShort(VNET + 12) & 0xFFFF) == tpid && (o.getShort(VNET + 14) & 0xFFFF) == tci,
                    "p" + p + ": tag " + Integer.toHexString(o.getInt(VNET + 12)) + ", expected "
                            + Integer.toHexString(tpid << 16 | tci));
        }
        expect(Arrays.equals(in, 0, 2, out, 0, 2) && Arrays.equals(in, 4, 6, out, 4, 6) && Arrays.equals(in, 8, 10, out, 8, 10),
                "p" + p + ": virtio-net flags, gso type, gso size or checksum offset changed");
        int delta = (outTagged ? 4 : 0) - (inTagged ? 4 : 0);
        if (plausible(in)) {
            int hdrLen = Short.toUnsignedInt(Short.reverseBytes(i.getShort(2)));
            int csumStart = Short.toUnsignedInt(Short.reverseBytes(i.getShort(6)));
            int wantHdrLen = hdrLen == 0 ? 0 : hdrLen + delta;
            int wantCsumStart = (in[0] & NEEDS_CSUM) != 0 ? csumStart + delta : csumStart;
            expect(Short.toUnsignedInt(Short.reverseBytes(o.getShort(2))) == wantHdrLen
                    && Short.toUnsignedInt(Short.reverseBytes(o.getShort(6))) == wantCsumStart,
                    "p" + p + ": hdr_len/csum_start " + Short.reverseBytes(o.getShort(2)) + "/"
                            + Short.reverseBytes(o.getShort(6)) + ", expected " + wantHdrLen + "/" + wantCsumStart);
        }
    }

    /**
     * Whether a virtio-net header's offsets lie inside the frame, past its Ethernet header, as the
     * kernel writes them; the bridge moves any others along with the tag, but nothing can say
     * what they should become.
     */
    private static boolean plausible(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int length = frame.length - VNET;
        int type = b.getShort(VNET + 12) & 0xFFFF;
        int header = 14 + (type == 0x8100 || type == 0x88A8 ? 4 : 0);
        int hdrLen = Short.toUnsignedInt(Short.reverseBytes(b.getShort(2)));
        int csumStart = Short.toUnsignedInt(Short.reverseBytes(b.getShort(6)));
        return (hdrLen == 0 || (hdrLen >= header && hdrLen <= length))
                && ((frame[0] & NEEDS_CSUM) == 0 || (csumStart >= header && csumStart <= length));
    }

    /** Fails the input with {@code what} unless {@code condition} holds. */
    static void expect(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}

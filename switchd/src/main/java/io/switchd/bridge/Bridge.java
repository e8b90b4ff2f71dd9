package io.switchd.bridge;

import io.netty.buffer.ByteBuf;
import io.switchd.capture.Capture;
import io.switchd.capture.CaptureSet;
import io.switchd.config.BridgeConfig;
import io.switchd.config.MirrorConfig;
import io.switchd.dataplane.FrameForm;
import io.switchd.dataplane.LoopContext;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.frame.EthernetFrame;
import io.switchd.frame.MacAddress;
import io.switchd.metrics.StripedCounters;
import io.switchd.port.DropReason;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.PortPolicy;
import io.switchd.port.StormControl;
import io.switchd.port.PortState;
import io.switchd.stp.Bpdu;
import io.switchd.stp.StpState;
import io.switchd.sys.VirtioNetHeader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * One L2 segment: its ports, its MAC table, and the forwarding decision, which runs to completion
 * on the thread that read the frame. Learn the source; forward known unicast to its one port;
 * flood unknown unicast, broadcast and multicast to every other forwarding port; never send a
 * frame back where it came from.
 */
public final class Bridge {
    private static final int PAUSE_BIT = 1;
    /** 01:80:c2:00:00:00, the group STP's BPDUs are sent to. */
    private static final int BPDU_BIT = 0;

    /** Counter ids in {@link #counters()}. */
    public static final int C_FLOODED = 0;

    private volatile BridgeConfig config;
    private final String name;
    private final MacTable fdb;
    private final StripedCounters counters;
    private volatile int groupForwardMask;
    /** Whether the bridge runs a spanning tree, which then takes the BPDUs its ports receive. */
    private volatile boolean runsStp;
    private Port[] ports = new Port[0];
    private final BitSet reserved = new BitSet();
    private volatile PortSet portSet = PortSet.EMPTY;
    /**
     * The captures running on this bridge, null while there is none: all a frame costs then is
     * this one read (a plain load on x86). Replaced whole by the control plane.
     */
    private volatile CaptureSet captures;
    /**
     * The mirrors of this bridge resolved against its ports, null while there is none: all a frame
     * costs then is this one read. Replaced whole by the control plane ({@link #publish}).
     */
    private volatile MirrorSet mirrors;
    /** The running mirrors, in the order they were added; the control plane's, under this object's lock. */
    private final List<Mirror> mirrorList = new ArrayList<>();

    /** A bridge with the table settings of {@code config}; ports join with {@link #add}. */
    public Bridge(BridgeConfig config, int stripes) {
        this.config = config;
        this.name = config.name();
        this.counters = new StripedCounters(1, stripes);
        this.fdb = new MacTable(config.macTableSize(), config.ageingTime().toMillis(), stripes);
        this.groupForwardMask = forwardedGroups(config);
        this.runsStp = config.stp().enabled();
    }

    /**
     * The link-local groups the forwarding path lets through: the configured mask without PAUSE,
     * plus STP's group while the bridge floods BPDUs. Folded into one mask so that the decision
     * stays one test per link-local frame.
     */
    private static int forwardedGroups(BridgeConfig c) {
        int mask = c.groupForwardMask() & ~(1 << PAUSE_BIT);
        return floodsBpdus(c) ? mask | (1 << BPDU_BIT) : mask;
    }

    /**
     * Whether BPDUs are flooded like any multicast, as the kernel bridge floods them while its STP
     * is off: bridges around this one that run STP then see their own BPDUs come back over a loop
     * through it, and cut the loop. A bridge that runs STP takes them itself instead.
     */
    private static boolean floodsBpdus(BridgeConfig c) {
        return !c.stp().enabled();
    }

    /**
     * Processes one frame read from {@code in}: at {@code offset} a virtio-net header, then the
     * frame, with at least 4 bytes of headroom before {@code offset} for a tag to be added.
     */
    public void receive(Port in, ByteBuf buf, int offset, int length, LoopContext ctx) {
        int stripe = ctx.stripe();
        StripedCounters c = in.counters();
        int eth = offset + VirtioNetHeader.SIZE;
        int frameLength = length - VirtioNetHeader.SIZE;
        c.increment(stripe, PortCounters.RX_FRAMES);
        c.add(stripe, PortCounters.RX_BYTES, frameLength);
        ctx.received(length);
        if (frameLength < EthernetFrame.HEADER_LENGTH) {
            drop(c, stripe, DropReason.RUNT);
            return;
        }
        CaptureSet capturing = captures; // read once per frame; null unless a capture runs
        if (capturing != null) {
            // as it came in, before any decision, so a capture also shows what the bridge then drops
            capturing.ingress(in, buf, eth, frameLength, stripe);
        }
        MirrorSet mirroring = mirrors; // read once per frame; null unless a mirror runs
        if (mirroring != null && mirroring.isOutput(in.index())) {
            // a mirror's output takes no part in forwarding: what its analyser sends goes nowhere
            drop(c, stripe, DropReason.MIRROR_OUTPUT);
            return;
        }
        if (in.state() != PortState.UP) {
            drop(c, stripe, DropReason.PORT_DOWN);
            return;
        }
        long src = EthernetFrame.source(buf, eth);
        if (MacAddress.isGroup(src)) {
            drop(c, stripe, DropReason.SOURCE_MULTICAST);
            return;
        }
        if (src == 0) {
            drop(c, stripe, DropReason.SOURCE_ZERO);
            return;
        }
        long dst = EthernetFrame.destination(buf, eth);
        // BPDUs come and go in every spanning tree state, whatever the port's VLANs: the protocol reads them
        if (dst == Bpdu.GROUP_ADDRESS && runsStp) {
            if (ctx.bpdus().offer(in, buf, eth, frameLength)) {
                c.increment(stripe, PortCounters.RX_BPDUS);
            }
            return;
        }
        StpState stp = in.stpState();
        if (stp == StpState.DISCARDING) {
            drop(c, stripe, DropReason.STP_DISCARDING);
            return;
        }
        PortPolicy policy = in.policy();
        int tagVid = -1;
        int tci = 0;
        int maxLength = in.mtu() + EthernetFrame.HEADER_LENGTH;
        boolean tagged = EthernetFrame.isTag(EthernetFrame.type(buf, eth));
        if (tagged) {
            if (frameLength < EthernetFrame.HEADER_LENGTH + EthernetFrame.TAG_LENGTH) {
                drop(c, stripe, DropReason.VLAN_TRUNCATED);
                return;
            }
            tci = buf.getUnsignedShort(eth + EthernetFrame.TCI_OFFSET);
            tagVid = tci & EthernetFrame.VID_MASK;
            if (tagVid == EthernetFrame.VID_MASK) {
                drop(c, stripe, DropReason.VLAN_INVALID);
                return;
            }
            maxLength += EthernetFrame.TAG_LENGTH;
        }
        // A segmentation-offload super-frame is longer than the MTU by design; its segments are not.
        if (frameLength > maxLength && buf.getByte(offset + VirtioNetHeader.GSO_TYPE_OFFSET) == VirtioNetHeader.GSO_NONE) {
            drop(c, stripe, DropReason.OVERSIZE);
            return;
        }
        int vlan = policy.classify(tagVid);
        if (vlan < 0) {
            drop(c, stripe, vlan == PortPolicy.DROP_TAGGED_ON_ACCESS
                    ? DropReason.VLAN_TAGGED_ON_ACCESS : DropReason.VLAN_NOT_MEMBER);
            return;
        }
        long now = ctx.now();
        long srcKey = FdbKey.of(vlan, src);
        if (policy.locked()) {
            if (fdb.lookupStatic(srcKey) != in.index()) {
                drop(c, stripe, DropReason.LOCKED);
                return;
            }
        } else if (policy.learning()
                && fdb.learn(srcKey, in.index(), now, stripe, policy.macLimit()) == MacTable.LIMITED) {
            drop(c, stripe, DropReason.MAC_LIMIT);
            return;
        }
        if (stp == StpState.LEARNING) {
            drop(c, stripe, DropReason.STP_DISCARDING);
            return;
        }

        PortSet set = portSet;
        // priority and DEI bits ride along to tagged egress ports; the VLAN is the one classified
        int egressTci = (tci & ~EthernetFrame.VID_MASK) | vlan;
        FrameForm form = ctx.form();
        form.reset(buf, offset, length, tagged, tci);
        // mirrors already given this frame, one bit each: a frame is copied once per mirror
        int mirrored = 0;
        if (mirroring != null) {
            int selected = mirroring.ingress(in.index());
            if (selected != 0) {
                mirrored = mirror(mirroring, selected, 0, form, vlan, egressTci, capturing, ctx);
            }
        }
        if (MacAddress.isGroup(dst)) {
            if (MacAddress.isLinkLocal(dst) && (groupForwardMask & (1 << (int) (dst & 0xF))) == 0) {
                drop(c, stripe, DropReason.LINK_LOCAL);
                return;
            }
            StormControl storm = policy.storm();
            boolean broadcast = dst == MacAddress.BROADCAST;
            if (!storm.admit(broadcast ? StormControl.BROADCAST : StormControl.MULTICAST, ctx.nanos())) {
                drop(c, stripe, broadcast ? DropReason.STORM_BROADCAST : DropReason.STORM_MULTICAST);
                return;
            }
            flood(set, in, policy, form, vlan, egressTci, false, capturing, mirroring, mirrored, ctx);
            return;
        }
        int out = fdb.lookup(FdbKey.of(vlan, dst), now);
        if (out == in.index()) {
            drop(c, stripe, DropReason.SAME_PORT);
            return;
        }
        Port egress = set.get(out);
        if (egress == null) {
            if (!policy.storm().admit(StormControl.UNKNOWN_UNICAST, ctx.nanos())) {
                drop(c, stripe, DropReason.STORM_UNKNOWN_UNICAST);
                return;
            }
            flood(set, in, policy, form, vlan, egressTci, true, capturing, mirroring, mirrored, ctx);
            return;
        }
        PortPolicy egressPolicy = egress.policy();
        if (policy.isolated() && egressPolicy.isolated()) {
            drop(c, stripe, DropReason.ISOLATED);
            return;
        }
        if (!egressPolicy.carries(vlan)) {
            drop(c, stripe, DropReason.VLAN_NOT_MEMBER);
            return;
        }
        send(egress, egressPolicy, form, vlan, egressTci, capturing, mirroring, mirrored, ctx);
    }

    private void flood(PortSet set, Port in, PortPolicy policy, FrameForm form, int vlan, int egressTci,
                       boolean unknownUnicast, CaptureSet capturing, MirrorSet mirroring, int mirrored,
                       LoopContext ctx) {
        counters.increment(ctx.stripe(), C_FLOODED);
        boolean isolated = policy.isolated();
        Port[] ports = set.forwarding();
        for (int i = 0; i < ports.length; i++) {
            Port p = ports[i];
            if (p == in) {
                continue;
            }
            PortPolicy out = p.policy();
            if (!out.carries(vlan) || (isolated && out.isolated()) || (unknownUnicast && !out.flood())) {
                continue;
            }
            mirrored = send(p, out, form, vlan, egressTci, capturing, mirroring, mirrored, ctx);
        }
    }

    /**
     * Sends the frame to {@code p} and then to the mirrors that select frames sent to {@code p} and
     * have not had this frame yet; returns the mirrors that have had it now.
     */
    private static int send(Port p, PortPolicy out, FrameForm form, int vlan, int egressTci, CaptureSet capturing,
                            MirrorSet mirroring, int mirrored, LoopContext ctx) {
        write(p, out, form, vlan, egressTci, capturing, ctx);
        if (mirroring != null) {
            int selected = mirroring.egress(p.index()) & ~mirrored;
            if (selected != 0) {
                return mirror(mirroring, selected, mirrored, form, vlan, egressTci, capturing, ctx);
            }
        }
        return mirrored;
    }

    /**
     * Copies the frame to the output of each mirror in {@code selected} (one bit each) that selects
     * its VLAN, tagged or not as that output port sends frames of this VLAN; returns {@code mirrored}
     * with {@code selected} added. An output not on the bridge or not up gets no copy.
     */
    private static int mirror(MirrorSet mirroring, int selected, int mirrored, FrameForm form, int vlan, int egressTci,
                              CaptureSet capturing, LoopContext ctx) {
        int left = selected;
        while (left != 0) {
            int bit = Integer.numberOfTrailingZeros(left);
            left &= left - 1;
            Mirror m = mirroring.mirror(bit);
            Port out = mirroring.output(bit);
            if (out != null && out.state() == PortState.UP && m.selectsVlan(vlan)) {
                write(out, out.policy(), form, vlan, egressTci, capturing, ctx);
                m.copied(ctx.stripe());
            }
        }
        return mirrored | selected;
    }

    private static void write(Port p, PortPolicy out, FrameForm form, int vlan, int egressTci, CaptureSet capturing,
                              LoopContext ctx) {
        if (out.tagsOnEgress(vlan)) {
            form.tagged(egressTci);
        } else {
            form.untagged();
        }
        int length = form.length();
        if (capturing != null) {
            // as written to this port: tagged or not as it leaves here
            capturing.egress(p, vlan, form.buffer(), form.offset() + VirtioNetHeader.SIZE, length - VirtioNetHeader.SIZE,
                    ctx.stripe());
        }
        p.send(form.buffer(), form.offset(), length, length - VirtioNetHeader.SIZE, ctx);
    }

    private static void drop(StripedCounters c, int stripe, DropReason reason) {
        c.increment(stripe, PortCounters.drop(reason));
    }

    /** Adds a port, giving it the lowest free index; it forwards once it is up and {@link #portsChanged}. */
    public synchronized void add(Port port) {
        int index = 0;
        while (index < ports.length && (ports[index] != null || reserved.get(index))) {
            index++;
        }
        if (index > 0xFFFF) {
            throw new IllegalStateException("bridge " + name + " has 65536 ports already");
        }
        if (index == ports.length) {
            ports = Arrays.copyOf(ports, ports.length + 1);
        }
        ports[index] = port;
        port.join(this, index);
        // the spanning tree lets a new port forward when it has found its place in the tree
        port.stpState(runsStp ? StpState.DISCARDING : StpState.FORWARDING);
        publish();
    }

    /**
     * Removes a port at once from forwarding and from name lookups, and forgets its addresses. Its
     * index stays reserved until {@link #release}, which runs once no loop can still be learning
     * a frame from it, so a new port never inherits a stale entry.
     */
    public synchronized void remove(Port port) {
        int i = port.index();
        if (i >= 0 && i < ports.length && ports[i] == port) {
            ports[i] = null;
            reserved.set(i);
            publish();
            fdb.flush(i, true);
        }
    }

    /**
     * Puts {@code fresh} in the place of {@code old} (the same interface, opened again): same index,
     * so the static entries that name it stay right.
     */
    public synchronized void replace(Port old, Port fresh) {
        int i = old.index();
        if (i < 0 || i >= ports.length || ports[i] != old) {
            throw new IllegalStateException(old + " is not a port of bridge " + name);
        }
        ports[i] = fresh;
        fresh.join(this, i);
        fresh.stpState(old.stpState());
        publish();
    }

    /** Frees a removed port's index, forgetting anything learned on it in the meantime. */
    public synchronized void release(int index) {
        if (reserved.get(index)) {
            fdb.flush(index, true);
            reserved.clear(index);
        }
    }

    /** The port at {@code index}, in any state, or null. */
    public synchronized Port portAt(int index) {
        return index >= 0 && index < ports.length ? ports[index] : null;
    }

    /** Republishes the forwarding set after a port's state changed. */
    public synchronized void portsChanged() {
        publish();
    }

    /**
     * Sets what the spanning tree lets {@code port} do. A port that stops forwarding forgets what
     * it learned: its hosts are now reached another way, found by flooding, not lost in a blocked link.
     */
    public synchronized void stpState(Port port, StpState state) {
        int i = port.index();
        // once the tree is off, a late word from its thread changes nothing
        if (!runsStp || i < 0 || i >= ports.length || ports[i] != port || port.stpState() == state) {
            return;
        }
        boolean stopped = port.stpState() == StpState.FORWARDING;
        port.stpState(state);
        publish();
        if (stopped) {
            fdb.flush(i, false);
        }
    }

    /** Whether the bridge runs a spanning tree. */
    public boolean runsStp() {
        return runsStp;
    }

    /** Forgets the addresses learned on a port that stopped forwarding. */
    public void forget(Port port) {
        fdb.flush(port.index(), false);
    }

    /** The port named {@code name}, or null. */
    public synchronized Port port(String portName) {
        for (Port p : ports) {
            if (p != null && p.name().equals(portName)) {
                return p;
            }
        }
        return null;
    }

    /** All ports, forwarding or not. */
    public synchronized List<Port> ports() {
        List<Port> out = new ArrayList<>();
        for (Port p : ports) {
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Takes new table settings in place: the ageing time, the table size (its entries kept) and
     * the group-forward mask. The ports and what they learned stay.
     */
    public synchronized void reconfigure(BridgeConfig next) {
        fdb.ageingMillis(next.ageingTime().toMillis());
        if (next.macTableSize() != fdb.limit()) {
            fdb.resize(next.macTableSize());
        }
        groupForwardMask = forwardedGroups(next);
        boolean stp = next.stp().enabled();
        if (stp != runsStp) {
            // a tree starting puts every port in discarding until it has found its place; a tree
            // stopping leaves every port forwarding, as a bridge without one is
            for (Port p : ports) {
                if (p != null) {
                    p.stpState(stp ? StpState.DISCARDING : StpState.FORWARDING);
                }
            }
            runsStp = stp;
            publish();
        }
        config = next;
    }

    /**
     * Republishes what the loops read of the ports and mirrors: the mirrors resolved against the
     * ports as they are now, and the forwarding set without the mirrors' outputs.
     */
    private void publish() {
        MirrorSet next = MirrorSet.of(mirrorList, ports);
        mirrors = next;
        portSet = PortSet.of(ports, MirrorSet.outputs(next));
    }

    /**
     * Runs {@code configs} as this bridge's mirrors: a mirror whose configuration is unchanged keeps
     * running with its count; the others start or stop. A port that becomes an output forgets what
     * was learned on it, since nothing is forwarded to it any more. Checking the mirrors against the
     * ports is the caller's ({@link MirrorConfig#problems}): a port a mirror names that is not on the
     * bridge is simply not mirrored.
     */
    public synchronized void mirrors(List<MirrorConfig> configs) {
        if (configs.size() > MirrorConfig.MAX_PER_BRIDGE) {
            throw new IllegalArgumentException("a bridge has at most " + MirrorConfig.MAX_PER_BRIDGE + " mirrors");
        }
        BitSet outputsBefore = MirrorSet.outputs(mirrors);
        List<Mirror> next = new ArrayList<>();
        for (MirrorConfig c : configs) {
            Mirror kept = null;
            for (Mirror m : mirrorList) {
                if (m.config().equals(c)) {
                    kept = m;
                }
            }
            next.add(kept != null ? kept : new Mirror(c, counters.stripes()));
        }
        mirrorList.clear();
        mirrorList.addAll(next);
        publish();
        BitSet fresh = MirrorSet.outputs(mirrors);
        fresh.andNot(outputsBefore);
        fresh.stream().forEach(i -> fdb.flush(i, false));
    }

    /** The running mirrors, in the order they were added. */
    public synchronized List<Mirror> mirrors() {
        return List.copyOf(mirrorList);
    }

    /** The name of the mirror whose output the port {@code port} is, or null if it is none's. */
    public synchronized String mirrorOutputOf(String port) {
        for (Mirror m : mirrorList) {
            if (m.config().output().equals(port)) {
                return m.name();
            }
        }
        return null;
    }

    /** The running mirrors' configurations, in the order they were added. */
    public synchronized List<MirrorConfig> mirrorConfigs() {
        List<MirrorConfig> out = new ArrayList<>();
        for (Mirror m : mirrorList) {
            out.add(m.config());
        }
        return out;
    }

    /** Starts copying frames to {@code c}; the control plane only. */
    public synchronized void addCapture(Capture c) {
        captures = CaptureSet.with(captures, c);
    }

    /**
     * Stops copying frames to {@code c}. A loop that read the set before may still copy a frame or
     * two into its ring: harmless, the ring is heap memory nobody frees.
     */
    public synchronized void removeCapture(Capture c) {
        captures = CaptureSet.without(captures, c);
    }

    /** The bridge's name. */
    public String name() {
        return name;
    }

    /** The bridge's MAC table. */
    public MacTable fdb() {
        return fdb;
    }

    /** The bridge's table settings, as made or last {@link #reconfigure reconfigured}. */
    public BridgeConfig config() {
        return config;
    }

    /** Bridge-wide counters ({@code C_*} ids): frames flooded. */
    public StripedCounters counters() {
        return counters;
    }

    /** The link-local groups forwarded now: the group-forward mask (PAUSE's bit always clear) and STP's group while BPDUs are flooded. */
    public int groupForwardMask() {
        return groupForwardMask;
    }
}

package io.switchd.vhost;

import io.switchd.sys.LibC;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.switchd.vhost.VirtioFeatures.*;

/**
 * A test device behind a vhost-user session that records what it is told and closes every
 * descriptor it is given (mapping memory is the port's job, not the protocol's). Thread-safe:
 * the loop calls it, the test reads it.
 */
final class RecordingBackend implements VhostBackend {
    /** What a virtio-net device of switchd's would offer. */
    static final long OFFERED = mask(VERSION_1, MRG_RXBUF, EVENT_IDX, INDIRECT_DESC, PROTOCOL_FEATURES, CSUM,
            GUEST_CSUM, HOST_TSO4, HOST_TSO6, GUEST_TSO4, GUEST_TSO6, HOST_ECN, GUEST_ECN);
    static final long OFFERED_PROTOCOL = (1L << VhostUserProtocol.F_MQ) | (1L << VhostUserProtocol.F_REPLY_ACK)
            | (1L << VhostUserProtocol.F_CONFIGURE_MEM_SLOTS);
    static final int RINGS = 2;

    /** One ring's state as told; -2 means never set, -1 a "no descriptor" (polling). */
    static final class Ring {
        int num = -2;
        VringAddress address;
        int base = -2;
        int kick = -2;
        int call = -2;
        int err = -2;
        boolean enabled;

        boolean complete() {
            return num > 0 && address != null && base >= 0 && kick != -2 && call != -2;
        }
    }

    private final long offered;
    private final long offeredProtocol;
    private final List<String> events = new ArrayList<>();
    private Ring[] rings = newRings();
    private long acked = -1;
    private long ackedProtocol = -1;
    private MemoryRegion[] table;
    private int tableFds;
    private int disconnects;
    private int resets;
    private String refuse;

    RecordingBackend() {
        this(OFFERED, OFFERED_PROTOCOL);
    }

    RecordingBackend(long offered, long offeredProtocol) {
        this.offered = offered;
        this.offeredProtocol = offeredProtocol;
    }

    private static Ring[] newRings() {
        Ring[] r = new Ring[RINGS];
        for (int i = 0; i < RINGS; i++) {
            r[i] = new Ring();
        }
        return r;
    }

    /** Makes the next call whose event starts with {@code prefix} throw. */
    synchronized void refuse(String prefix) {
        refuse = prefix;
    }

    private void event(String e) throws VhostProtocolException {
        events.add(e);
        if (refuse != null && e.startsWith(refuse)) {
            refuse = null;
            throw new VhostProtocolException("refused by the test: " + e);
        }
    }

    private static void close(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    @Override
    public long offeredFeatures() {
        return offered;
    }

    @Override
    public long offeredProtocolFeatures() {
        return offeredProtocol;
    }

    @Override
    public synchronized void features(long f) throws VhostProtocolException {
        event("features " + names(f));
        acked = f;
    }

    @Override
    public synchronized void protocolFeatures(long f) throws VhostProtocolException {
        event("protocolFeatures 0x" + Long.toHexString(f));
        ackedProtocol = f;
    }

    @Override
    public synchronized void memoryTable(MemoryRegion[] regions, int[] fds) throws VhostProtocolException {
        for (int fd : fds) {
            close(fd);
        }
        event("memoryTable " + regions.length);
        table = regions.clone();
        tableFds = (int) Arrays.stream(fds).filter(fd -> fd >= 0).count();
    }

    @Override
    public synchronized void addRegion(MemoryRegion region, int fd) throws VhostProtocolException {
        close(fd);
        event("addRegion " + region.guestPhysAddr() + (fd >= 0 ? " fd" : " nofd"));
    }

    @Override
    public synchronized void removeRegion(MemoryRegion region) throws VhostProtocolException {
        event("removeRegion " + region.guestPhysAddr());
    }

    @Override
    public synchronized void vringNum(int index, int num) throws VhostProtocolException {
        event("vringNum " + index + " " + num);
        rings[index].num = num;
    }

    @Override
    public synchronized void vringAddress(VringAddress address) throws VhostProtocolException {
        event("vringAddress " + address.index());
        rings[address.index()].address = address;
    }

    @Override
    public synchronized void vringBase(int index, int base) throws VhostProtocolException {
        event("vringBase " + index + " " + base);
        rings[index].base = base;
    }

    @Override
    public synchronized int stopVring(int index) throws VhostProtocolException {
        event("stopVring " + index);
        return Math.max(rings[index].base, 0);
    }

    @Override
    public synchronized void vringKick(int index, int fd) throws VhostProtocolException {
        close(fd);
        event("vringKick " + index + (fd >= 0 ? " fd" : " nofd"));
        rings[index].kick = fd;
    }

    @Override
    public synchronized void vringCall(int index, int fd) throws VhostProtocolException {
        close(fd);
        event("vringCall " + index + (fd >= 0 ? " fd" : " nofd"));
        rings[index].call = fd;
    }

    @Override
    public synchronized void vringErr(int index, int fd) throws VhostProtocolException {
        close(fd);
        event("vringErr " + index + (fd >= 0 ? " fd" : " nofd"));
        rings[index].err = fd;
    }

    @Override
    public synchronized void vringEnable(int index, boolean enable) throws VhostProtocolException {
        event("vringEnable " + index + " " + enable);
        rings[index].enabled = enable;
    }

    @Override
    public int queueCount() {
        return RINGS / 2;
    }

    @Override
    public synchronized void reset() {
        events.add("reset");
        resets++;
    }

    @Override
    public synchronized void disconnected() {
        events.add("disconnected");
        disconnects++;
        rings = newRings();
        table = null;
        tableFds = 0;
        acked = -1;
        ackedProtocol = -1;
    }

    synchronized List<String> events() {
        return new ArrayList<>(events);
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long ackedProtocol() {
        return ackedProtocol;
    }

    synchronized MemoryRegion[] table() {
        return table;
    }

    synchronized int tableFds() {
        return tableFds;
    }

    synchronized int disconnects() {
        return disconnects;
    }

    synchronized int resets() {
        return resets;
    }

    synchronized boolean enabled(int index) {
        return rings[index].enabled;
    }

    synchronized Ring ring(int index) {
        return rings[index];
    }

    /**
     * Whether a front-end has set the device up whole: features acked, a memory table with
     * descriptors, both rings sized, placed, based, kicked and called, and enabled.
     */
    synchronized boolean sessionComplete() {
        if (acked < 0 || table == null || table.length == 0 || tableFds != table.length) {
            return false;
        }
        for (Ring r : rings) {
            if (!r.complete() || !r.enabled) {
                return false;
            }
        }
        return true;
    }
}

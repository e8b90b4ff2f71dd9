package io.switchd.capture;

import io.netty.buffer.ByteBuf;
import io.switchd.metrics.StripedCounters;

import java.util.List;

/**
 * One running capture: which frames it wants (ports, direction, VLAN, filter) and the ring the
 * loops copy them into. Made by the control plane, immutable but for the ring and the drop count;
 * the loops call {@link #offer}, one control-plane thread drains {@link #ring()}.
 */
public final class Capture {
    /** Direction bits, as pcapng's epb_flags says them: 1 inbound, 2 outbound. */
    public static final int IN = 1;
    public static final int OUT = 2;
    public static final int BOTH = IN | OUT;

    private final long id;
    private final List<String> portNames;
    /** Port index in the bridge to interface id in this capture (its place in portNames), -1 for not captured. */
    private final int[] interfaceOf;
    private final int directions;
    private final int vlan;
    private final BpfProgram filter;
    private final CaptureRing ring;
    /** Frames dropped because the ring was full, counted in each loop's own stripe (one counter). */
    private final StripedCounters dropped;
    /** Written by the one thread that drains the ring. */
    private volatile long captured;

    /**
     * A capture numbered {@code id} of the ports named {@code portNames} (interface {@code i} is
     * {@code portNames.get(i)}, at bridge index {@code portIndexes[i]}), in {@code directions}, of
     * VLAN {@code vlan} (-1 for any), of the frames {@code filter} matches (null for all), offered
     * frames by up to {@code stripes} loops.
     */
    public Capture(long id, List<String> portNames, int[] portIndexes, int directions, int vlan, BpfProgram filter,
                   CaptureRing ring, int stripes) {
        this.id = id;
        this.portNames = List.copyOf(portNames);
        int max = -1;
        for (int i : portIndexes) {
            max = Math.max(max, i);
        }
        this.interfaceOf = new int[max + 1];
        java.util.Arrays.fill(interfaceOf, -1);
        for (int i = 0; i < portIndexes.length; i++) {
            interfaceOf[portIndexes[i]] = i;
        }
        this.directions = directions;
        this.vlan = vlan;
        this.filter = filter;
        this.ring = ring;
        this.dropped = new StripedCounters(1, stripes);
    }

    /** Whether this capture may want frames of port {@code index} in {@code direction}, before looking at them. */
    boolean watches(int index, int direction) {
        return (directions & direction) != 0 && index < interfaceOf.length && interfaceOf[index] >= 0;
    }

    /** Whether it selects by VLAN. */
    boolean byVlan() {
        return vlan >= 0;
    }

    /**
     * Copies the frame ({@code length} bytes at {@code from}, Ethernet header first) of port
     * {@code index}, in {@code direction}, on {@code frameVlan}, if this capture wants it, stamped with the time now (a vDSO read, for selected frames only); counts
     * it dropped if the ring is full. Data path: no allocation, no lock.
     */
    void offer(int index, int direction, int frameVlan, ByteBuf buf, int from, int length, int stripe) {
        if (!watches(index, direction) || (vlan >= 0 && frameVlan != vlan)) {
            return;
        }
        if (filter != null && filter.run(buf, from, length, stripe) == 0) {
            return;
        }
        if (!ring.offer(interfaceOf[index], direction, System.nanoTime(), buf, from, length)) {
            dropped.increment(stripe, 0);
        }
    }

    /** The capture's number, unique in the daemon's life. */
    public long id() {
        return id;
    }

    /** The captured ports' names; interface id {@code i} in the pcapng stream is {@code portNames().get(i)}. */
    public List<String> portNames() {
        return portNames;
    }

    /** The ring to drain. */
    public CaptureRing ring() {
        return ring;
    }

    /** Frames handed to the client so far. */
    public long captured() {
        return captured;
    }

    /** Counts one more frame handed to the client; the draining thread only. */
    public void capturedOne() {
        captured = captured + 1;
    }

    /** Frames selected but not kept because the ring was full: the reader was too slow. */
    public long dropped() {
        return dropped.get(0);
    }
}

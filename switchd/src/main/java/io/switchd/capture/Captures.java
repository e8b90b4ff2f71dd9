package io.switchd.capture;

import io.switchd.bridge.Bridge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's running captures: at most a configured number at once, each published on its
 * bridge while it runs; and the final counts of the last few that ended, for a client that asks
 * after it hung up (switchctl after Ctrl-C).
 */
public final class Captures {
    /** How many ended captures' counts are kept. */
    private static final int KEPT = 32;
    /** The heap one capture's ring may take. */
    public static final int RING_BYTES = 4 << 20;

    private final int max;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Capture> running = new LinkedHashMap<>();
    private final Map<Long, Counts> ended = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Counts> eldest) {
            return size() > KEPT;
        }
    };

    /** What a capture kept and lost: frames written to its client, and frames dropped because the client was slow. */
    public record Counts(long captured, long dropped, boolean running) {}

    /** A registry allowing {@code max} captures at once. */
    public Captures(int max) {
        this.max = max;
    }

    /** The most captures at once. */
    public int max() {
        return max;
    }

    /** A new capture's number. */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /** Starts {@code c} on {@code bridge}; false, changing nothing, when {@link #max} are running. */
    public synchronized boolean start(Bridge bridge, Capture c) {
        if (running.size() >= max) {
            return false;
        }
        running.put(c.id(), c);
        bridge.addCapture(c);
        return true;
    }

    /** Ends {@code c} on {@code bridge}, keeping its final counts. */
    public synchronized void stop(Bridge bridge, Capture c) {
        if (running.remove(c.id()) != null) {
            bridge.removeCapture(c);
            ended.put(c.id(), new Counts(c.captured(), c.dropped(), false));
        }
    }

    /** The counts of capture {@code id}, running or among the last that ended; null if unknown. */
    public synchronized Counts counts(long id) {
        Capture c = running.get(id);
        if (c != null) {
            return new Counts(c.captured(), c.dropped(), true);
        }
        return ended.get(id);
    }

    /** How many run now. */
    public synchronized int running() {
        return running.size();
    }
}

package io.switchd.overlay;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a vxlan device's directory entries as the directory says, by difference: it remembers
 * what it programmed and writes only what changed. The static remotes are the port's own (the
 * port wrote them when it made the device) and are never taken off. An entry the sink refused
 * stays to do and is tried again at the next sync. Not thread-safe: the directory's thread only.
 */
final class FdbReconciler {
    private static final Logger LOG = Logger.getLogger(FdbReconciler.class.getName());
    private final String port;
    private final Set<String> statics;
    private final Set<String> flooding = new HashSet<>();
    private final Map<Long, String> unicast = new HashMap<>();

    FdbReconciler(String port, List<String> statics) {
        this.port = port;
        this.statics = Set.copyOf(statics);
    }

    /** The device was made again: none of the directory's entries are on it. */
    void reset() {
        flooding.clear();
        unicast.clear();
    }

    /** Brings the device to {@code peers} (flood) and {@code macs} (unicast); returns how many writes failed. */
    int sync(Set<String> peers, Map<Long, String> macs, FdbSink sink) {
        int failed = 0;
        for (String p : peers) {
            if (!statics.contains(p) && !flooding.contains(p)) {
                if (attempt(() -> sink.flood(p), "flood to " + p)) {
                    flooding.add(p);
                } else {
                    failed++;
                }
            }
        }
        for (String p : List.copyOf(flooding)) {
            if (!peers.contains(p)) {
                if (attempt(() -> sink.unflood(p), "stop flooding to " + p)) {
                    flooding.remove(p);
                } else {
                    failed++;
                }
            }
        }
        for (Map.Entry<Long, String> e : macs.entrySet()) {
            if (!e.getValue().equals(unicast.get(e.getKey()))) {
                if (attempt(() -> sink.unicast(e.getKey(), e.getValue()), "unicast entry to " + e.getValue())) {
                    unicast.put(e.getKey(), e.getValue());
                } else {
                    failed++;
                }
            }
        }
        for (Long mac : List.copyOf(unicast.keySet())) {
            if (!macs.containsKey(mac)) {
                if (attempt(() -> sink.removeUnicast(mac), "removing a unicast entry")) {
                    unicast.remove(mac);
                } else {
                    failed++;
                }
            }
        }
        return failed;
    }

    /** The peers the directory added to the flood list (the static ones aside). */
    Set<String> flooding() {
        return Set.copyOf(flooding);
    }

    /** The unicast entries programmed. */
    Map<Long, String> unicast() {
        return Map.copyOf(unicast);
    }

    private boolean attempt(Write w, String what) {
        try {
            w.run();
            return true;
        } catch (Exception e) {
            LOG.log(Level.FINE, "vxlan port " + port + ": " + what + " failed, will retry", e);
            return false;
        }
    }

    @FunctionalInterface
    private interface Write {
        void run() throws Exception;
    }
}

package io.switchd.overlay;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers the directory put on each vxlan port's flood list, by port (device) name, as the
 * directory's thread last wrote them: what {@code port list} shows with source etcd, and what the
 * peer-count metric counts. Readable from any thread. One per JVM, by port name: a daemon owns its
 * ports' names (they are interface names in its namespace); two daemons in one JVM (tests) must
 * not share one.
 */
public final class DirectoryPeers {
    private static final Map<String, List<String>> PEERS = new ConcurrentHashMap<>();

    private DirectoryPeers() {}

    /** The directory's peers of {@code port}, in address order; empty when it has none (or no directory). */
    public static List<String> of(String port) {
        return PEERS.getOrDefault(port, List.of());
    }

    static void set(String port, List<String> peers) {
        PEERS.put(port, List.copyOf(peers));
    }

    static void remove(String port) {
        PEERS.remove(port);
    }
}

package io.switchd.overlay;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers one directory put on each vxlan port's flood list, by port (device) name, as its thread
 * last wrote them: what {@code port list} shows with source etcd, and what the peer-count metric
 * counts. Readable from any thread; each {@link EtcdDirectory} has its own.
 */
public final class DirectoryPeers {
    private final Map<String, List<String>> peers = new ConcurrentHashMap<>();

    /** The peers of {@code port}, in address order; empty when it has none. */
    public List<String> of(String port) {
        return peers.getOrDefault(port, List.of());
    }

    void set(String port, List<String> list) {
        peers.put(port, List.copyOf(list));
    }

    void remove(String port) {
        peers.remove(port);
    }
}

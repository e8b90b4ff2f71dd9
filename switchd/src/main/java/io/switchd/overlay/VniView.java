package io.switchd.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.Json;
import io.switchd.frame.MacAddress;
import io.switchd.port.kind.VxlanSettings;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the directory says about one VNI, as this host reads it: the hosts registered on it and
 * the MACs they published, from a full read and the watch events after it. The data is untrusted:
 * a key or value this does not understand is skipped and counted, and takes back what its key
 * said before. Not thread-safe: the directory's thread only.
 */
final class VniView {
    private final String vniPrefix;
    private final String self;
    private final boolean ipv6;
    /** Registered hosts: key to VTEP address. */
    private final Map<String, String> hosts = new HashMap<>();
    /** Published MACs: key to (mac, address). */
    private final Map<String, Published> macs = new HashMap<>();
    private long malformed;

    /** A view of the subtree {@code vniPrefix} (see {@link DirectoryKeys#vni}) for the host at {@code self}. */
    VniView(String vniPrefix, String self) {
        this.vniPrefix = vniPrefix;
        this.self = self;
        this.ipv6 = VxlanSettings.address(self, "local") instanceof Inet6Address;
    }

    /** Forgets everything, before a full read. */
    void clear() {
        hosts.clear();
        macs.clear();
    }

    /** A key was written (read or watched) with {@code value}. */
    void put(String key, byte[] value) {
        if (!key.startsWith(vniPrefix)) {
            malformed++;
            return;
        }
        String rest = key.substring(vniPrefix.length());
        hosts.remove(key);
        macs.remove(key);
        try {
            JsonNode v = Json.mapper().readTree(value);
            String address = address(v);
            if (rest.startsWith(DirectoryKeys.HOSTS)) {
                if (!rest.substring(DirectoryKeys.HOSTS.length()).equals(address)) {
                    throw new IllegalArgumentException("a host's key and address differ");
                }
                hosts.put(key, address);
            } else if (rest.startsWith(DirectoryKeys.MACS)) {
                String macText = rest.substring(DirectoryKeys.MACS.length());
                long mac = MacAddress.parse(macText);
                if (MacAddress.isGroup(mac) || mac == 0 || !MacAddress.format(mac).equals(macText)) {
                    throw new IllegalArgumentException("not a unicast MAC as the directory writes it");
                }
                macs.put(key, new Published(mac, address));
            } else {
                malformed++;
            }
        } catch (Exception e) {
            malformed++;
        }
    }

    /** A key was deleted (or its lease ran out). */
    void delete(String key) {
        hosts.remove(key);
        macs.remove(key);
    }

    /** The other hosts registered on the VNI: the directory's share of the flood list. */
    TreeSet<String> peers() {
        TreeSet<String> out = new TreeSet<>(hosts.values());
        out.remove(self);
        return out;
    }

    /** The MACs other registered hosts published, each to its host's address. */
    TreeMap<Long, String> unicast() {
        TreeSet<String> peers = peers();
        TreeMap<Long, String> out = new TreeMap<>();
        for (Published p : macs.values()) {
            if (peers.contains(p.address())) {
                out.put(p.mac(), p.address());
            }
        }
        return out;
    }

    /** How many keys or values were skipped as malformed. */
    long malformed() {
        return malformed;
    }

    private String address(JsonNode v) {
        JsonNode a = v.get("address");
        if (a == null || !a.isTextual()) {
            throw new IllegalArgumentException("no address");
        }
        InetAddress parsed = VxlanSettings.remote(a.asText());
        if ((parsed instanceof Inet6Address) != ipv6) {
            throw new IllegalArgumentException("another address family");
        }
        return parsed.getHostAddress();
    }

    private record Published(long mac, String address) {}
}

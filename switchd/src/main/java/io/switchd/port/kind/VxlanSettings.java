package io.switchd.port.kind;

import io.switchd.config.PortType;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A vxlan port's settings: its VXLAN network identifier, this host's address on the underlay
 * (local), the static flood list (remotes), the UDP port, optionally the underlay interface, and
 * the outer header's ttl and tos (null: the kernel's defaults, the route's hop limit and 0).
 * Addresses are kept as {@link InetAddress#getHostAddress()} writes them, so that equal settings
 * compare equal however they were spelled.
 */
public record VxlanSettings(int vni, String local, List<String> remotes, int dstport, String device, Integer ttl,
                            Integer tos) implements PortKindSettings {
    /** The highest VNI: 24 bits. */
    public static final int MAX_VNI = 0xFFFFFF;
    /** The IANA port for VXLAN, and the default. */
    public static final int DEFAULT_DSTPORT = 4789;
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    /** The highest ttl and tos: one byte each in the outer IP header. */
    public static final int MAX_TTL_TOS = 255;
    private static final Pattern IFNAME = Pattern.compile("[^/\\s:]{1,15}");

    /** Checks everything; IllegalArgumentException in the user's words. */
    public VxlanSettings {
        checkVni(vni);
        InetAddress l = address(local, "local");
        if (l.isAnyLocalAddress() || l.isMulticastAddress()) {
            throw new IllegalArgumentException("local must be this host's unicast address, not " + local);
        }
        local = l.getHostAddress();
        Set<String> seen = new HashSet<>();
        List<String> normal = new java.util.ArrayList<>();
        for (String r : remotes) {
            InetAddress a = remote(r);
            if ((a instanceof Inet6Address) != (l instanceof Inet6Address)) {
                throw new IllegalArgumentException("remote " + r + " is not of local " + local + "'s family (IPv4 or IPv6)");
            }
            if (a.getHostAddress().equals(local)) {
                throw new IllegalArgumentException("remote " + r + " is local's own address");
            }
            if (!seen.add(a.getHostAddress())) {
                throw new IllegalArgumentException("remote " + r + " is listed twice");
            }
            normal.add(a.getHostAddress());
        }
        remotes = List.copyOf(normal);
        if (dstport < 1 || dstport > 65535) {
            throw new IllegalArgumentException("dstport must be a UDP port from 1 to 65535, not " + dstport);
        }
        if (device != null && !IFNAME.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be an interface name (1 to 15 characters, no /, : or "
                    + "space), not \"" + device + "\"");
        }
        if (ttl != null && (ttl < 1 || ttl > MAX_TTL_TOS)) {
            throw new IllegalArgumentException("ttl must be from 1 to " + MAX_TTL_TOS + ", not " + ttl);
        }
        if (tos != null && (tos < 0 || tos > MAX_TTL_TOS)) {
            throw new IllegalArgumentException("tos must be from 0 to " + MAX_TTL_TOS + ", not " + tos);
        }
    }

    /** Settings with the kernel's ttl and tos. */
    public VxlanSettings(int vni, String local, List<String> remotes, int dstport, String device) {
        this(vni, local, remotes, dstport, device, null, null);
    }

    /** IllegalArgumentException unless {@code vni} is a VNI (1 to 16777215). */
    public static void checkVni(long vni) {
        if (vni < 1 || vni > MAX_VNI) {
            throw new IllegalArgumentException("vni must be from 1 to " + MAX_VNI + ", not " + vni);
        }
    }

    /** {@code text} as an IPv4 or IPv6 address literal (never a name to look up); {@code what} names it in errors. */
    public static InetAddress address(String text, String what) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(what + " must be an IPv4 or IPv6 address");
        }
        // a literal only: InetAddress would look anything else up in DNS
        if (IPV4.matcher(text).matches() || (text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+"))) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException(what + " must be an IPv4 or IPv6 address, not \"" + text + "\"");
    }

    /** {@code text} as a remote's address: a unicast address literal. */
    public static InetAddress remote(String text) {
        InetAddress a = address(text, "a remote");
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw new IllegalArgumentException("a remote must be a unicast address, not " + text);
        }
        return a;
    }

    /** The local address, parsed. */
    public InetAddress localAddress() {
        return address(local, "local");
    }

    @Override
    public PortType type() {
        return PortType.VXLAN;
    }
}

package io.switchd.port.kind;

import io.switchd.api.model.NewPort;
import io.switchd.api.model.PortInfo;
import io.switchd.config.ConfigError;
import io.switchd.config.PortBlock;
import io.switchd.config.PortType;
import io.switchd.control.ControlException;
import io.switchd.dataplane.DataPlane;
import io.switchd.port.PacketSocketPort;
import io.switchd.port.Port;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.SysException;
import io.switchd.sys.VxlanLinks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * vxlan ports: switchd creates the kernel's vxlan device named after the port (rtnetlink, through
 * {@link VxlanLinks}), writes the static flood list as its all-zero forwarding entries, and attaches
 * to it as to a netdev. The kernel encapsulates, with its offloads: the virtio-net header the port
 * writes reaches the device. The device goes with the port.
 */
public final class VxlanKind implements PortKind {
    private static final Logger LOG = Logger.getLogger(VxlanKind.class.getName());
    private static final String VNI = "vni";
    private static final String LOCAL = "local";
    private static final String REMOTES = "remotes";
    private static final String DSTPORT = "dstport";
    private static final String DEVICE = "device";
    private static final String TTL = "ttl";
    private static final String TOS = "tos";
    private static final String DIRECTORY = "directory";
    private static final List<String> KEYS = List.of(VNI, LOCAL, REMOTES, DSTPORT, DEVICE, TTL, TOS, DIRECTORY);
    /** IPv6 adds 20 bytes more than IPv4's {@link VxlanLinks#OVERHEAD}. */
    private static final int IPV6_EXTRA = 20;

    VxlanKind() {
    }

    @Override
    public PortType type() {
        return PortType.VXLAN;
    }

    @Override
    public Set<String> configKeys() {
        return Set.copyOf(KEYS);
    }

    @Override
    public PortKindSettings read(PortBlock block) throws ConfigError {
        if (!block.has(VNI)) {
            throw block.error(VNI, "a vxlan port needs vni = 1 to " + VxlanSettings.MAX_VNI);
        }
        int vni = block.intIn(VNI, 1, VxlanSettings.MAX_VNI);
        if (!block.has(LOCAL)) {
            throw block.error(LOCAL, "a vxlan port needs local = \"this host's underlay address\"");
        }
        String local = block.string(LOCAL);
        InetAddress localAddress;
        try {
            localAddress = VxlanSettings.address(local, "local");
        } catch (IllegalArgumentException e) {
            throw block.error(LOCAL, e.getMessage());
        }
        List<String> remotes = block.has(REMOTES) ? block.strings(REMOTES, r -> {
            InetAddress a = VxlanSettings.remote(r);
            if ((a instanceof Inet6Address) != (localAddress instanceof Inet6Address)) {
                throw new IllegalArgumentException("is not of local " + local + "'s family (IPv4 or IPv6)");
            }
        }) : List.of();
        int dstport = block.has(DSTPORT) ? block.intIn(DSTPORT, 1, 65535) : VxlanSettings.DEFAULT_DSTPORT;
        String device = block.has(DEVICE) ? block.string(DEVICE) : null;
        Integer ttl = block.has(TTL) ? block.intIn(TTL, 1, VxlanSettings.MAX_TTL_TOS) : null;
        Integer tos = block.has(TOS) ? block.intIn(TOS, 0, VxlanSettings.MAX_TTL_TOS) : null;
        boolean directory;
        try {
            directory = VxlanSettings.directory(block.has(DIRECTORY) ? block.string(DIRECTORY) : null);
        } catch (IllegalArgumentException e) {
            throw block.error(DIRECTORY, e.getMessage());
        }
        try {
            return new VxlanSettings(vni, local, remotes, dstport, device, ttl, tos, directory);
        } catch (IllegalArgumentException e) {
            // what the record still finds (a remote twice, local among the remotes, the device's name)
            String key = e.getMessage().startsWith("device") ? DEVICE
                    : e.getMessage().startsWith("local") ? LOCAL : REMOTES;
            throw block.error(key, e.getMessage());
        }
    }

    @Override
    public ConfigError misplaced(PortBlock block) {
        for (String key : KEYS) {
            if (block.ownHas(key)) {
                return block.error(key, "only vxlan ports have " + (key.equals(REMOTES) ? "" : "a ") + key);
            }
        }
        return null;
    }

    @Override
    public void refuseForeign(NewPort req) throws ControlException {
        String key = req.vni() != null ? VNI : req.local() != null ? LOCAL : req.remotes() != null ? REMOTES
                : req.dstport() != null ? DSTPORT : req.device() != null ? DEVICE : req.ttl() != null ? TTL
                : req.tos() != null ? TOS : req.directory() != null ? DIRECTORY : null;
        if (key != null) {
            throw ControlException.badRequest("only vxlan ports have " + (key.equals(REMOTES) ? "" : "a ") + key);
        }
    }

    @Override
    public PortKindSettings forAdd(String name, NewPort req) throws ControlException {
        if (req.vni() == null) {
            throw ControlException.badRequest("a vxlan port needs a vni (1 to " + VxlanSettings.MAX_VNI + ")");
        }
        if (req.local() == null) {
            throw ControlException.badRequest("a vxlan port needs local, this host's address on the underlay");
        }
        try {
            return new VxlanSettings(req.vni(), req.local(), req.remotes() == null ? List.of() : req.remotes(),
                    req.dstport() == null ? VxlanSettings.DEFAULT_DSTPORT : req.dstport(), req.device(), req.ttl(),
                    req.tos(), VxlanSettings.directory(req.directory()));
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest(e.getMessage());
        }
    }

    /**
     * Creates the device (MTU: the underlay's less the encapsulation), writes the flood list and
     * attaches to it; a device made here that cannot be attached is removed again.
     */
    @Override
    public Port open(String name, PortKindSettings settings, DataPlane plane) throws SysException {
        VxlanSettings s = (VxlanSettings) settings;
        InetAddress local = s.localAddress();
        String underlay = s.device();
        if (underlay == null) {
            underlay = VxlanLinks.holding(local);
            if (underlay == null) {
                throw new SysException("no interface holds local address " + s.local() + " (the underlay "
                        + "address of vxlan port " + name + ")", Errno.ENODEV);
            }
        }
        int underlayIndex = Interfaces.index(underlay);
        if (underlayIndex == 0) {
            throw new SysException("underlay device " + underlay + " of vxlan port " + name + " does not exist",
                    Errno.ENODEV);
        }
        int mtu = Interfaces.mtu(underlay) - VxlanLinks.OVERHEAD - (local instanceof Inet6Address ? IPV6_EXTRA : 0);
        VxlanLinks.create(name, s.vni(), local, s.dstport(), s.device() == null ? 0 : underlayIndex, mtu,
                s.ttl() == null ? VxlanLinks.KERNEL_DEFAULT : s.ttl(), s.tos() == null ? VxlanLinks.KERNEL_DEFAULT : s.tos(),
                !s.directory()); // with the directory, remote MACs are what the other hosts published
        try {
            for (String remote : s.remotes()) {
                VxlanLinks.flood(name, VxlanSettings.remote(remote));
            }
            Port port = PacketSocketPort.open(name, PortType.VXLAN, plane.stripes());
            LOG.info("vxlan port " + name + ": vni " + s.vni() + ", local " + s.local() + " on " + underlay
                    + ", mtu " + mtu + ", flooding to " + (s.remotes().isEmpty() ? "no remote" : s.remotes()));
            return port;
        } catch (SysException | RuntimeException e) {
            remove(name);
            throw e;
        }
    }

    @Override
    public Shown shown(PortKindSettings settings, Port port) {
        VxlanSettings s = (VxlanSettings) settings;
        List<PortInfo.Remote> remotes = new ArrayList<>();
        for (String r : s.remotes()) {
            remotes.add(new PortInfo.Remote(r, PortInfo.Remote.STATIC));
        }
        return new Shown(false, null, null, null, s.vni(), s.local(), List.copyOf(remotes), s.ttl(), s.tos());
    }

    @Override
    public Map<String, Object> configValues(PortKindSettings settings) {
        VxlanSettings s = (VxlanSettings) settings;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(VNI, s.vni());
        out.put(LOCAL, s.local());
        if (!s.remotes().isEmpty()) {
            out.put(REMOTES, s.remotes());
        }
        if (s.dstport() != VxlanSettings.DEFAULT_DSTPORT) {
            out.put(DSTPORT, s.dstport());
        }
        if (s.device() != null) {
            out.put(DEVICE, s.device());
        }
        if (s.ttl() != null) {
            out.put(TTL, s.ttl());
        }
        if (s.tos() != null) {
            out.put(TOS, s.tos());
        }
        if (s.directory()) {
            out.put(DIRECTORY, VxlanSettings.ETCD);
        }
        return out;
    }

    /** The kernel takes one vxlan device per VNI and UDP port in a namespace, whatever their local addresses. */
    @Override
    public Map.Entry<String, String> exclusive(PortKindSettings settings) {
        VxlanSettings s = (VxlanSettings) settings;
        return Map.entry(VNI, s.vni() + " (dstport " + s.dstport() + ")");
    }

    /** The device goes with the port the operator deleted (or a reload dropped or replaced). */
    @Override
    public void deleting(Port port) {
        remove(port.name());
    }

    /** The device goes when switchd stops: it is switchd's, and only switchd forwards for it. */
    @Override
    public void closed(Port port) {
        remove(port.name());
    }

    /**
     * Warns of each port of the bridge whose MTU is larger than a vxlan port's, as {@code attached}
     * joins {@code ports}: a frame that fits the one does not fit the overlay and is lost there.
     */
    public static void warnMtu(String bridge, List<Port> ports, Port attached) {
        for (Port p : ports) {
            Port vxlan = p.type() == PortType.VXLAN ? p : attached.type() == PortType.VXLAN ? attached : null;
            Port other = vxlan == p ? attached : p;
            if (p == attached || vxlan == null || other.type() == PortType.VXLAN || other.mtu() <= vxlan.mtu()) {
                continue;
            }
            LOG.warning("bridge " + bridge + ": port " + other.name() + "'s mtu " + other.mtu() + " is larger than "
                    + "vxlan port " + vxlan.name() + "'s " + vxlan.mtu() + ": larger frames cannot cross the overlay "
                    + "(raise the underlay's MTU by " + (other.mtu() - vxlan.mtu()) + ", or give the hosts an mtu of "
                    + vxlan.mtu() + ")");
        }
    }

    private static void remove(String name) {
        if (!VxlanLinks.isVxlan(name)) {
            return; // gone already, or not ours
        }
        try {
            VxlanLinks.delete(name);
            LOG.info("removed vxlan device " + name);
        } catch (SysException e) {
            LOG.warning("cannot remove vxlan device " + name + ": " + e.getMessage());
        }
    }
}

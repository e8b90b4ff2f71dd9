package io.switchd.sys;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's vxlan devices that switchd owns, made and unmade over rtnetlink, as
 * {@code ip link add NAME type vxlan id VNI local IP dstport PORT} and
 * {@code bridge fdb append 00:00:00:00:00:00 dev NAME dst IP} do: the kernel does the
 * encapsulation (with its segmentation and checksum offloads), switchd attaches to the device.
 *
 * <pre>
 *  RTM_NEWLINK: [nlmsghdr][ifinfomsg][IFLA_IFNAME][IFLA_MTU]
 *               [IFLA_LINKINFO [IFLA_INFO_KIND "vxlan"]
 *                              [IFLA_INFO_DATA [IFLA_VXLAN_ID][IFLA_VXLAN_LOCAL(6)][IFLA_VXLAN_PORT (be16)]
 *                                              [IFLA_VXLAN_LEARNING][IFLA_VXLAN_LINK]?
 *                                              [IFLA_VXLAN_TTL (u8)]?[IFLA_VXLAN_TOS (u8)]?]]
 *  RTM_NEWNEIGH: [nlmsghdr][ndmsg: family AF_BRIDGE, ifindex, state, flags NTF_SELF]
 *               [NDA_LLADDR 00:00:00:00:00:00][NDA_DST remote]
 * </pre>
 */
public final class VxlanLinks {
    /** The bytes VXLAN over IPv4 adds to a frame: outer IPv4 (20), UDP (8), VXLAN (8), inner Ethernet (14). */
    public static final int OVERHEAD = 50;
    /** A ttl or tos not sent: the kernel's default. */
    public static final int KERNEL_DEFAULT = -1;
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_DELLINK = 17;
    private static final int RTM_NEWNEIGH = 28;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_INFO_DATA = 2;
    private static final int IFLA_VXLAN_ID = 1;
    private static final int IFLA_VXLAN_LINK = 3;
    private static final int IFLA_VXLAN_LOCAL = 4;
    private static final int IFLA_VXLAN_TTL = 5;
    private static final int IFLA_VXLAN_TOS = 6;
    private static final int IFLA_VXLAN_LEARNING = 7;
    private static final int IFLA_VXLAN_PORT = 15;
    private static final int IFLA_VXLAN_LOCAL6 = 17;
    /** sizeof(struct ndmsg): family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8. */
    private static final int NDMSG_LEN = 12;
    private static final int NDM_IFINDEX = 4;
    private static final int NDM_STATE = 8;
    private static final int NDM_FLAGS = 10;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    private static final int AF_BRIDGE = 7;
    /** NUD_NOARP | NUD_PERMANENT: what {@code bridge fdb append} gives an entry without a state. */
    private static final int NUD_PERMANENT_NOARP = 0x40 | 0x80;
    /** The entry is the device's own (the vxlan device's table), not its master bridge's. */
    private static final int NTF_SELF = 0x02;
    private static final int EEXIST = 17;

    private VxlanLinks() {}

    /**
     * Creates the vxlan device {@code name} with its MTU, set to learn remote MACs from what it
     * receives; {@code underlayIndex} is the device's underlay interface (0: none named), {@code ttl}
     * and {@code tos} the outer header's ({@link #KERNEL_DEFAULT}: not sent). A vxlan
     * device of that name left by a switchd that did not stop cleanly is replaced; any other
     * interface of that name is an error.
     */
    public static void create(String name, int vni, InetAddress local, int dstport, int underlayIndex, int mtu,
                              int ttl, int tos) throws SysException {
        if (Interfaces.exists(name)) {
            if (!isVxlan(name)) {
                throw new SysException("interface " + name + " exists and is not a vxlan device; switchd makes "
                        + "a vxlan port's device itself", EEXIST);
            }
            delete(name);
        }
        NetlinkRequest req = new NetlinkRequest(RTM_NEWLINK, NetlinkRequest.NLM_F_CREATE | NetlinkRequest.NLM_F_EXCL,
                Netlink.IFINFOMSG_LEN, "creating vxlan device " + name + " (vni " + vni + ", local "
                + local.getHostAddress() + ", dstport " + dstport + ", mtu " + mtu
                + (ttl == KERNEL_DEFAULT ? "" : ", ttl " + ttl) + (tos == KERNEL_DEFAULT ? "" : ", tos " + tos) + ")")
                .string(IFLA_IFNAME, name)
                .u32(IFLA_MTU, mtu)
                .nest(IFLA_LINKINFO)
                .string(IFLA_INFO_KIND, "vxlan")
                .nest(IFLA_INFO_DATA)
                .u32(IFLA_VXLAN_ID, vni)
                .bytes(local instanceof Inet4Address ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, local.getAddress())
                .be16(IFLA_VXLAN_PORT, dstport)
                .u8(IFLA_VXLAN_LEARNING, 1);
        if (underlayIndex > 0) {
            req.u32(IFLA_VXLAN_LINK, underlayIndex);
        }
        if (ttl != KERNEL_DEFAULT) {
            req.u8(IFLA_VXLAN_TTL, ttl);
        }
        if (tos != KERNEL_DEFAULT) {
            req.u8(IFLA_VXLAN_TOS, tos);
        }
        req.end().end().send();
    }

    /** Deletes the interface {@code name}; nothing if it is gone already. */
    public static void delete(String name) throws SysException {
        int index = Interfaces.index(name);
        if (index == 0) {
            return;
        }
        try {
            new NetlinkRequest(RTM_DELLINK, 0, Netlink.IFINFOMSG_LEN, "deleting interface " + name)
                    .headerInt(Netlink.IFI_INDEX, index)
                    .send();
        } catch (SysException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    /**
     * Adds {@code remote} to the flood list of the vxlan device {@code name}: an all-zero forwarding
     * entry to it, which broadcast, multicast and unknown unicast are sent to.
     */
    public static void flood(String name, InetAddress remote) throws SysException {
        int index = Interfaces.index(name);
        if (index == 0) {
            throw new SysException("vxlan device " + name + " does not exist", Errno.ENODEV);
        }
        new NetlinkRequest(RTM_NEWNEIGH, NetlinkRequest.NLM_F_CREATE | NetlinkRequest.NLM_F_APPEND, NDMSG_LEN,
                "adding flood entry 00:00:00:00:00:00 dst " + remote.getHostAddress() + " to " + name)
                .headerByte(0, AF_BRIDGE)
                .headerInt(NDM_IFINDEX, index)
                .headerShort(NDM_STATE, NUD_PERMANENT_NOARP)
                .headerByte(NDM_FLAGS, NTF_SELF)
                .bytes(NDA_LLADDR, new byte[6])
                .bytes(NDA_DST, remote.getAddress())
                .send();
    }

    /** Whether the interface {@code name} is a vxlan device (its sysfs uevent says DEVTYPE=vxlan). */
    public static boolean isVxlan(String name) {
        try {
            return Files.readAllLines(Path.of("/sys/class/net", name, "uevent")).contains("DEVTYPE=vxlan");
        } catch (IOException e) {
            return false;
        }
    }

    /** The name of the interface that holds {@code local}, or null if none does. */
    public static String holding(InetAddress local) {
        try {
            NetworkInterface ni = NetworkInterface.getByInetAddress(local);
            return ni == null ? null : ni.getName();
        } catch (SocketException e) {
            return null;
        }
    }
}

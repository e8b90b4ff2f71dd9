package io.switchd.sys;

import com.sun.jna.Memory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a vxlan device's own forwarding table over rtnetlink, as {@code bridge fdb show dev NAME}
 * does: which remote VTEP (underlay address) each MAC the device learned or was given is behind.
 * The kernel keeps this table itself (the device learns from what it decapsulates), so switchd
 * reads it when asked rather than keeping a copy. Off the data path: one dump per call.
 *
 * <pre>
 *  request: RTM_GETNEIGH [nlmsghdr][ifinfomsg: family AF_BRIDGE, ifi_index = the device]   (a dump)
 *  answer:  RTM_NEWNEIGH [nlmsghdr][ndmsg: family, pad, pad, ifindex s32, state, flags, type]
 *                        [NDA_LLADDR (6)][NDA_DST (4 or 16)] ...   then NLMSG_DONE
 * </pre>
 * The ifinfomsg-sized header is the kernel's older form of the request, which filters by port
 * index without asking the socket for strict checking.
 */
public final class VxlanFdb {
    private static final int RTM_NEWNEIGH = 28;
    private static final int RTM_GETNEIGH = 30;
    private static final int AF_BRIDGE = 7;
    private static final int NDMSG_LEN = 12;
    private static final int NDM_IFINDEX = 4;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    private static final int MAC_LENGTH = 6;

    private VxlanFdb() {}

    /**
     * The remote VTEP of each unicast MAC in the vxlan device {@code name}'s table, MAC (as a
     * long, {@link io.switchd.frame.MacAddress}) to underlay address; the all-zero flood entries
     * are left out. Empty when the device is not there.
     */
    public static Map<Long, InetAddress> remotes(String name) throws SysException {
        int index = Interfaces.index(name);
        Map<Long, InetAddress> out = new HashMap<>();
        if (index == 0) {
            return out;
        }
        new NetlinkRequest(RTM_GETNEIGH, 0, Netlink.IFINFOMSG_LEN, "reading the forwarding table of " + name)
                .headerByte(0, AF_BRIDGE)
                .headerInt(Netlink.IFI_INDEX, index)
                .dump((buf, at, length, type) -> entry(buf, at, length, type, index, out));
        return out;
    }

    private static void entry(Memory buf, int at, int length, int type, int index, Map<Long, InetAddress> out) {
        int ndm = at + Netlink.NLMSG_HDRLEN;
        if (type != RTM_NEWNEIGH || length < Netlink.NLMSG_HDRLEN + NDMSG_LEN || buf.getInt(ndm + NDM_IFINDEX) != index) {
            return;
        }
        long mac = -1;
        byte[] dst = null;
        int end = at + length;
        int a = ndm + NDMSG_LEN;
        while (a + Netlink.RTA_HDRLEN <= end) {
            int len = buf.getShort(a) & 0xFFFF;
            int attr = buf.getShort(a + 2) & 0x7FFF;
            if (len < Netlink.RTA_HDRLEN || a + len > end) {
                return;
            }
            int payload = len - Netlink.RTA_HDRLEN;
            if (attr == NDA_LLADDR && payload == MAC_LENGTH) {
                mac = 0;
                for (int i = 0; i < MAC_LENGTH; i++) {
                    mac = (mac << 8) | (buf.getByte(a + Netlink.RTA_HDRLEN + i) & 0xFF);
                }
            } else if (attr == NDA_DST && (payload == 4 || payload == 16)) {
                dst = buf.getByteArray(a + Netlink.RTA_HDRLEN, payload);
            }
            a += Netlink.align(len);
        }
        if (mac > 0 && dst != null) {
            try {
                out.putIfAbsent(mac, InetAddress.getByAddress(dst));
            } catch (UnknownHostException impossible) {
                // 4 or 16 bytes are always an address
            }
        }
    }
}

package io.switchd.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Opens AF_PACKET sockets bound to one interface, promiscuous, with offload headers, a receive ring
 * and VLAN aux data.
 */
public final class PacketSockets {
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_PACKET = 263;
    public static final int ETH_P_ALL = 0x0003;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int PACKET_ADD_MEMBERSHIP = 1;
    private static final int PACKET_RX_RING = 5;
    private static final int PACKET_COPY_THRESH = 7;
    private static final int PACKET_VERSION = 10;
    private static final int TPACKET_V2 = 1;
    private static final int SO_ERROR = 4;
    public static final int PACKET_AUXDATA = 8;
    private static final int PACKET_STATISTICS = 6;
    private static final int PACKET_VNET_HDR = 15;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private static final short PACKET_MR_PROMISC = 1;
    private static final int BUFFER_BYTES = 4 << 20;
    /** Ring block size: an order-3 allocation the kernel finds easily. */
    private static final int RING_BLOCK = 32 * 1024;
    /** Slots in one ring block: rings have a multiple of this many. */
    public static final int RING_BLOCK_SLOTS = RING_BLOCK / PacketRing.SLOT_SIZE;

    private PacketSockets() {}

    /**
     * A non-blocking AF_PACKET socket on interface {@code ifindex}: every frame the interface
     * receives, none it sends, each behind a virtio-net header, into a TPACKET_V2 receive ring of
     * {@code slots} slots of {@link PacketRing#SLOT_SIZE} bytes, a multiple of {@link #RING_BLOCK_SLOTS}
     * (map it with {@link PacketRing#map});
     * a frame too big for a slot also waits in full on the socket, with its VLAN tag in aux data.
     */
    public static int open(int ifindex, String name, int slots) throws SysException {
        // Protocol 0 queues nothing until bind, so no frame of another interface slips in, and
        // nothing lands outside the ring, which must exist before the socket is bound.
        int fd = Errno.check(LibC.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket(AF_PACKET)");
        try {
            // the virtio-net header has to be on before the ring is made (EBUSY after)
            setInt(fd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR " + name);
            setInt(fd, SOL_PACKET, PACKET_AUXDATA, 1, "PACKET_AUXDATA " + name);
            setInt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING " + name);
            setInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, BUFFER_BYTES, "SO_RCVBUFFORCE " + name);
            setInt(fd, SOL_SOCKET, SO_SNDBUFFORCE, BUFFER_BYTES, "SO_SNDBUFFORCE " + name);
            setInt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION " + name);
            setInt(fd, SOL_PACKET, PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH " + name);
            // struct tpacket_req: blocks of RING_BLOCK bytes, each holding whole slots
            Memory req = new Memory(16);
            req.setInt(0, RING_BLOCK);
            req.setInt(4, slots / (RING_BLOCK / PacketRing.SLOT_SIZE));
            req.setInt(8, PacketRing.SLOT_SIZE);
            req.setInt(12, slots);
            Errno.check(LibC.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, 16), "PACKET_RX_RING " + name);
            bind(fd, ifindex, ETH_P_ALL, name);
            Memory mreq = new Memory(16);
            mreq.clear();
            mreq.setInt(0, ifindex);
            mreq.setShort(4, PACKET_MR_PROMISC);
            Errno.check(LibC.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, 16), "PACKET_ADD_MEMBERSHIP " + name);
            return fd;
        } catch (SysException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /**
     * Takes the socket's pending error (SO_ERROR), clearing it: ENETDOWN when the interface went
     * down or away. 0 when there is none.
     */
    public static int takeError(int fd) {
        Memory value = new Memory(4);
        Memory length = new Memory(4);
        value.setInt(0, 0);
        length.setInt(0, 4);
        return LibC.getsockopt(fd, SOL_SOCKET, SO_ERROR, value, length) < 0 ? Native.getLastError() : value.getInt(0);
    }

    /**
     * Frames the kernel dropped because the socket's queue (or ring) was full, since the last call:
     * PACKET_STATISTICS resets what it reports. 0 when the socket cannot say.
     */
    public static long takeDrops(int fd) {
        // struct tpacket_stats {tp_packets, tp_drops}: the first two fields of every version's stats
        Memory stats = new Memory(8);
        Memory length = new Memory(4);
        length.setInt(0, 8);
        if (LibC.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats, length) < 0 || length.getInt(0) < 8) {
            return 0;
        }
        return Integer.toUnsignedLong(stats.getInt(4));
    }

    /** Binds a packet socket to one interface and protocol (host order). */
    public static void bind(int fd, int ifindex, int protocol, String name) throws SysException {
        Memory sll = new Memory(20);
        sll.clear();
        sll.setShort(0, (short) AF_PACKET);
        sll.setShort(2, Short.reverseBytes((short) protocol));
        sll.setInt(4, ifindex);
        Errno.check(LibC.bind(fd, sll, 20), "bind(AF_PACKET) " + name);
    }

    /** setsockopt with an int value. */
    public static void setInt(int fd, int level, int option, int value, String what) throws SysException {
        Memory m = new Memory(4);
        m.setInt(0, value);
        Errno.check(LibC.setsockopt(fd, level, option, m, 4), what);
    }
}

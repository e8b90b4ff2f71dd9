package io.switchd.stp;

import io.netty.buffer.ByteBuf;
import io.switchd.frame.EthernetFrame;

/**
 * One BPDU (802.1D-2004 clause 9), a reusable flyweight: {@link #decode} reads it out of an
 * Ethernet frame in place and says what is wrong with the frame if anything; {@link #encode}
 * writes it as a whole frame. Neither allocates, and decode never throws on what a frame holds.
 *
 * <pre>
 *  0      6      12     14       17        19        20     21     22        30     34        42      44     46     48     50     52     53
 *  +------+------+------+--------+---------+---------+------+------+---------+------+---------+-------+------+------+------+------+------+
 *  | dst  | src  |length|42 42 03|protocol |version  |type  |flags |root id  |root  |bridge id|port id|msg   |max   |hello |fwd   |v1 len|
 *  |      |      |      |  LLC   |id 0     |0 or 2   |      |      |         |cost  |         |       |age   |age   |time  |delay |(RST) |
 *  +------+------+------+--------+---------+---------+------+------+---------+------+---------+-------+------+------+------+------+------+
 *                                 \___ a TCN ends after the type; times in 1/256 s ___________________________________________________/
 * </pre>
 */
public final class Bpdu {
    /** 01:80:C2:00:00:00, the bridge group address BPDUs are sent to. */
    public static final long GROUP_ADDRESS = 0x0180_C200_0000L;
    /** The shortest Ethernet frame (without its FCS); shorter BPDU frames are padded to it. */
    public static final int MIN_FRAME_LENGTH = 60;

    /** Topology Change (9.3.1, 9.3.3). */
    public static final int FLAG_TC = 0x01;
    /** Proposal (RST only). */
    public static final int FLAG_PROPOSAL = 0x02;
    /** Port Role, two bits (RST only, 9.2.9). */
    public static final int ROLE_MASK = 0x0C;
    /** Learning (RST only). */
    public static final int FLAG_LEARNING = 0x10;
    /** Forwarding (RST only). */
    public static final int FLAG_FORWARDING = 0x20;
    /** Agreement (RST only). */
    public static final int FLAG_AGREEMENT = 0x40;
    /** Topology Change Acknowledgment (configuration BPDUs only). */
    public static final int FLAG_TC_ACK = 0x80;

    /** The Port Role values of 9.2.9, already shifted into place in the flags. */
    public static final int ROLE_UNKNOWN = 0x00;
    public static final int ROLE_ALTERNATE_OR_BACKUP = 0x04;
    public static final int ROLE_ROOT = 0x08;
    public static final int ROLE_DESIGNATED = 0x0C;

    private static final int LLC_OFFSET = EthernetFrame.HEADER_LENGTH;
    private static final int LLC_LENGTH = 3;
    private static final int BPDU_OFFSET = LLC_OFFSET + LLC_LENGTH;
    /** The largest 802.3 length; a bigger value in that field is an EtherType. */
    private static final int MAX_802_3_LENGTH = 1500;

    private BpduType type = BpduType.CONFIG;
    private int version;
    private int flags;
    private long rootId;
    private long rootPathCost;
    private long bridgeId;
    private int portId;
    private int messageAge;
    private int maxAge;
    private int helloTime;
    private int forwardDelay;

    /**
     * Reads the BPDU in the Ethernet frame of {@code length} bytes at {@code offset} (untagged, sent
     * to the bridge group address, 802.3 length and LLC header). On {@link BpduStatus#VALID} this
     * object holds it; on anything else its contents are unspecified.
     */
    public BpduStatus decode(ByteBuf buf, int offset, int length) {
        if (length < BPDU_OFFSET + BpduType.TCN.length()) {
            return BpduStatus.TOO_SHORT;
        }
        if (EthernetFrame.destination(buf, offset) != GROUP_ADDRESS) {
            return BpduStatus.WRONG_ADDRESS;
        }
        int llcLength = EthernetFrame.type(buf, offset);
        if (llcLength > MAX_802_3_LENGTH) {
            return BpduStatus.BAD_LLC;
        }
        if (llcLength > length - LLC_OFFSET || llcLength < LLC_LENGTH + BpduType.TCN.length()) {
            return BpduStatus.TOO_SHORT;
        }
        if (buf.getUnsignedMedium(offset + LLC_OFFSET) != 0x424203) {
            return BpduStatus.BAD_LLC;
        }
        int bpduLength = llcLength - LLC_LENGTH;
        int at = offset + BPDU_OFFSET;
        if (buf.getUnsignedShort(at) != 0) {
            return BpduStatus.UNKNOWN_PROTOCOL;
        }
        version = buf.getUnsignedByte(at + 2);
        int code = buf.getUnsignedByte(at + 3);
        if (code == BpduType.TCN.code()) {
            // 9.3.4 b: a TCN is its type, whatever its version says
            type = BpduType.TCN;
            flags = 0;
            rootId = bridgeId = rootPathCost = 0;
            portId = messageAge = maxAge = helloTime = forwardDelay = 0;
            return BpduStatus.VALID;
        }
        if (code == BpduType.CONFIG.code()) {
            type = BpduType.CONFIG;
        } else if (code == BpduType.RST.code()) {
            // 9.3.4 c: version 2 or later (an MSTP BPDU, version 3, is read as the RST BPDU it begins with)
            if (version < 2) {
                return BpduStatus.UNKNOWN_VERSION;
            }
            type = BpduType.RST;
        } else {
            return BpduStatus.UNKNOWN_TYPE;
        }
        if (bpduLength < type.length()) {
            return BpduStatus.TOO_SHORT;
        }
        flags = buf.getUnsignedByte(at + 4);
        if (type == BpduType.CONFIG) {
            flags &= FLAG_TC | FLAG_TC_ACK; // 9.3.1: the other bits are unused
        }
        rootId = buf.getLong(at + 5);
        rootPathCost = buf.getUnsignedInt(at + 13);
        bridgeId = buf.getLong(at + 17);
        portId = buf.getUnsignedShort(at + 25);
        messageAge = buf.getUnsignedShort(at + 27);
        maxAge = buf.getUnsignedShort(at + 29);
        helloTime = buf.getUnsignedShort(at + 31);
        forwardDelay = buf.getUnsignedShort(at + 33);
        return checkTimes();
    }

    /**
     * 17.13's ranges (table 17-1), widened to what the Linux bridge lets its operator set (hello
     * time up to 10 s, forward delay down to 2 s), since such a bridge is a peer we must hear. The
     * relation between the three (17.14) is the sender's business and not checked.
     */
    private BpduStatus checkTimes() {
        if (!within(helloTime, 1, 10) || !within(maxAge, 6, 40) || !within(forwardDelay, 2, 30)) {
            return BpduStatus.BAD_TIMERS;
        }
        if (messageAge >= maxAge) {
            return BpduStatus.MESSAGE_AGE_EXCEEDED;
        }
        return BpduStatus.VALID;
    }

    private static boolean within(int time256, int minSeconds, int maxSeconds) {
        int seconds = seconds(time256);
        return seconds >= minSeconds && seconds <= maxSeconds;
    }

    /**
     * Writes this BPDU as a whole Ethernet frame from {@code sourceMac} at {@code offset}, padded to
     * {@link #MIN_FRAME_LENGTH}; returns the frame's length. The buffer must have room for it.
     */
    public int encode(ByteBuf buf, int offset, long sourceMac) {
        int bpduLength = type.length();
        buf.setShort(offset, (int) (GROUP_ADDRESS >>> 32));
        buf.setInt(offset + 2, (int) GROUP_ADDRESS);
        buf.setShort(offset + 6, (int) (sourceMac >>> 32));
        buf.setInt(offset + 8, (int) sourceMac);
        buf.setShort(offset + EthernetFrame.TYPE_OFFSET, LLC_LENGTH + bpduLength);
        buf.setMedium(offset + LLC_OFFSET, 0x424203);
        int at = offset + BPDU_OFFSET;
        buf.setShort(at, 0);
        buf.setByte(at + 2, version);
        buf.setByte(at + 3, type.code());
        if (type != BpduType.TCN) {
            buf.setByte(at + 4, flags);
            buf.setLong(at + 5, rootId);
            buf.setInt(at + 13, (int) Math.min(rootPathCost, 0xFFFF_FFFFL));
            buf.setLong(at + 17, bridgeId);
            buf.setShort(at + 25, portId);
            buf.setShort(at + 27, messageAge);
            buf.setShort(at + 29, maxAge);
            buf.setShort(at + 31, helloTime);
            buf.setShort(at + 33, forwardDelay);
            if (type == BpduType.RST) {
                buf.setByte(at + 35, 0); // Version 1 Length: no version 1 information follows
            }
        }
        int end = BPDU_OFFSET + bpduLength;
        int frameLength = Math.max(end, MIN_FRAME_LENGTH);
        buf.setZero(offset + end, frameLength - end);
        return frameLength;
    }

    /** Makes this a topology change notification. */
    public Bpdu tcn() {
        type = BpduType.TCN;
        version = 0;
        flags = 0;
        return this;
    }

    /**
     * Makes this a configuration BPDU (version 0) or an RST BPDU (version 2) carrying this
     * priority vector and these times (in whole seconds).
     */
    public Bpdu of(BpduType kind, int bpduFlags, PriorityVector vector, StpTimes times) {
        type = kind;
        version = kind == BpduType.RST ? 2 : 0;
        flags = bpduFlags & 0xFF;
        rootId = vector.rootId();
        rootPathCost = vector.rootPathCost();
        bridgeId = vector.designatedBridgeId();
        portId = vector.designatedPortId();
        messageAge = times.messageAge() * 256;
        maxAge = times.maxAge() * 256;
        helloTime = times.helloTime() * 256;
        forwardDelay = times.forwardDelay() * 256;
        return this;
    }

    /** Takes on another BPDU's contents. */
    public void copyFrom(Bpdu other) {
        type = other.type;
        version = other.version;
        flags = other.flags;
        rootId = other.rootId;
        rootPathCost = other.rootPathCost;
        bridgeId = other.bridgeId;
        portId = other.portId;
        messageAge = other.messageAge;
        maxAge = other.maxAge;
        helloTime = other.helloTime;
        forwardDelay = other.forwardDelay;
    }

    /**
     * Reads an RST BPDU whose Port Role is Unknown as the configuration BPDU it then is (9.2.9
     * note), so that the state machines see a designated port's message from an 802.1D bridge.
     */
    void unknownRoleAsConfig() {
        if (type == BpduType.RST && role() == ROLE_UNKNOWN) {
            type = BpduType.CONFIG;
            flags &= FLAG_TC | FLAG_TC_ACK;
        }
    }

    /** A time in 1/256 s, rounded to whole seconds as 17.21.23 asks. */
    static int seconds(int time256) {
        return (time256 + 128) >>> 8;
    }

    public BpduType type() {
        return type;
    }

    public int version() {
        return version;
    }

    public int flags() {
        return flags;
    }

    public boolean flag(int mask) {
        return (flags & mask) != 0;
    }

    /** The Port Role bits of the flags, one of the ROLE_ constants; configuration BPDUs come from designated ports. */
    public int role() {
        return type == BpduType.CONFIG ? ROLE_DESIGNATED : flags & ROLE_MASK;
    }

    public long rootId() {
        return rootId;
    }

    public long rootPathCost() {
        return rootPathCost;
    }

    public long bridgeId() {
        return bridgeId;
    }

    public int portId() {
        return portId;
    }

    /** The priority vector the BPDU carries (17.19.14 msgPriority). */
    public PriorityVector vector() {
        return new PriorityVector(rootId, rootPathCost, bridgeId, portId);
    }

    /** The times the BPDU carries, rounded to whole seconds (17.19.15 msgTimes). */
    public StpTimes times() {
        return new StpTimes(seconds(messageAge), seconds(maxAge), seconds(helloTime), seconds(forwardDelay));
    }

    /** Message age in 1/256 s. */
    public int messageAge() {
        return messageAge;
    }

    /** Max age in 1/256 s. */
    public int maxAge() {
        return maxAge;
    }

    /** Hello time in 1/256 s. */
    public int helloTime() {
        return helloTime;
    }

    /** Forward delay in 1/256 s. */
    public int forwardDelay() {
        return forwardDelay;
    }

    @Override
    public String toString() {
        if (type == BpduType.TCN) {
            return "TCN";
        }
        return type + " flags=" + Integer.toHexString(flags) + " root=" + BridgeId.format(rootId) + " cost="
                + rootPathCost + " bridge=" + BridgeId.format(bridgeId) + " port=" + PortId.format(portId)
                + " times=" + times();
    }
}

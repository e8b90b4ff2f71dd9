package io.switchd.stp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpduTest {
    /**
     * Captured with tcpdump -xx from a Linux bridge (kernel 6.1, stp_state 1, priority 28672, hello
     * time 1 s) on the far end of a veth: a root bridge's configuration BPDU, unpadded as veth sends it.
     */
    static final String KERNEL_ROOT_CONFIG = "0180c2000000 e6f5b6e379bc 0026 424203 0000 00 00 00"
            + " 7000 02aabbccddee 00000000 7000 02aabbccddee 8001 0000 1400 0100 0f00";
    /**
     * A second Linux bridge (priority 32768) relaying the first one's information while a topology
     * change is on: cost 2, message age 1.02 s (the kernel keeps the fraction), forward delay 4 s.
     */
    static final String KERNEL_RELAYED_CONFIG_WITH_TC = "0180c2000000 cebd03b888b2 0026 424203 0000 00 00 01"
            + " 7000 02000000000a 00000002 8000 02000000000b 8002 0106 1400 0100 0400";
    /** The root's answer to a TCN: Topology Change and its acknowledgment. */
    static final String KERNEL_ROOT_CONFIG_WITH_TC_ACK = "0180c2000000 be2697eb87be 0026 424203 0000 00 00 81"
            + " 7000 02000000000a 00000000 7000 02000000000a 8001 0000 1400 0100 0400";
    /** The second bridge's topology change notification, seven bytes after the length field. */
    static final String KERNEL_TCN = "0180c2000000 fab1027273db 0007 424203 0000 00 80";
    /**
     * An RST BPDU laid out by 802.1D-2004 9.3.3 (figure 9-4): version 2, type 2, flags Proposal +
     * Port Role Designated (0x0E) + Learning (0x10), root 8000.02000000000a at cost 20000 through
     * bridge 8000.02000000000b port 0x8002, message age 1 s, max age 20 s, hello 2 s, forward
     * delay 15 s, Version 1 Length 0; padded to 60 bytes.
     */
    static final String SPEC_RST = "0180c2000000 02000000000b 0027 424203 0000 02 02 1e"
            + " 8000 02000000000a 00004e20 8000 02000000000b 8002 0100 1400 0200 0f00 00"
            + " 000000000000 00";

    static ByteBuf frame(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    static Bpdu decodeValid(String hex) {
        ByteBuf buf = frame(hex);
        Bpdu bpdu = new Bpdu();
        assertEquals(BpduStatus.VALID, bpdu.decode(buf, 0, buf.readableBytes()));
        return bpdu;
    }

    @Test
    void readsALinuxBridgesConfigurationBpdu() {
        Bpdu bpdu = decodeValid(KERNEL_ROOT_CONFIG);
        assertEquals(BpduType.CONFIG, bpdu.type());
        assertEquals(0, bpdu.flags());
        assertEquals("7000.02aabbccddee", BridgeId.format(bpdu.rootId()));
        assertEquals("7000.02aabbccddee", BridgeId.format(bpdu.bridgeId()));
        assertEquals(0, bpdu.rootPathCost());
        assertEquals("8001", PortId.format(bpdu.portId()));
        assertEquals(new StpTimes(0, 20, 1, 15), bpdu.times());
        assertEquals(Bpdu.ROLE_DESIGNATED, bpdu.role());
    }

    @Test
    void readsARelayedBpduWithItsTopologyChangeAndFractionalAge() {
        Bpdu bpdu = decodeValid(KERNEL_RELAYED_CONFIG_WITH_TC);
        assertTrue(bpdu.flag(Bpdu.FLAG_TC));
        assertFalse(bpdu.flag(Bpdu.FLAG_TC_ACK));
        assertEquals(2, bpdu.rootPathCost());
        assertEquals("8000.02000000000b", BridgeId.format(bpdu.bridgeId()));
        assertEquals(0x106, bpdu.messageAge());
        assertEquals(new StpTimes(1, 20, 1, 4), bpdu.times());

        Bpdu ack = decodeValid(KERNEL_ROOT_CONFIG_WITH_TC_ACK);
        assertTrue(ack.flag(Bpdu.FLAG_TC));
        assertTrue(ack.flag(Bpdu.FLAG_TC_ACK));
    }

    @Test
    void readsATopologyChangeNotification() {
        assertEquals(BpduType.TCN, decodeValid(KERNEL_TCN).type());
    }

    @Test
    void readsAnRstBpduAsTheStandardLaysItOut() {
        Bpdu bpdu = decodeValid(SPEC_RST);
        assertEquals(BpduType.RST, bpdu.type());
        assertEquals(2, bpdu.version());
        assertTrue(bpdu.flag(Bpdu.FLAG_PROPOSAL));
        assertTrue(bpdu.flag(Bpdu.FLAG_LEARNING));
        assertFalse(bpdu.flag(Bpdu.FLAG_FORWARDING));
        assertFalse(bpdu.flag(Bpdu.FLAG_AGREEMENT));
        assertEquals(Bpdu.ROLE_DESIGNATED, bpdu.role());
        assertEquals(new PriorityVector(BridgeId.parse("8000.02000000000a"), 20000,
                BridgeId.parse("8000.02000000000b"), 0x8002), bpdu.vector());
        assertEquals(new StpTimes(1, 20, 2, 15), bpdu.times());
    }

    @Test
    void writesWhatItReadsByteForByte() {
        // the kernel's frames are unpadded; ours are padded to 60 bytes, which is the only difference
        for (String hex : new String[] {KERNEL_ROOT_CONFIG, KERNEL_RELAYED_CONFIG_WITH_TC, KERNEL_TCN, SPEC_RST}) {
            ByteBuf original = frame(hex);
            Bpdu bpdu = decodeValid(hex);
            long source = (long) original.getUnsignedShort(6) << 32 | original.getUnsignedInt(8);
            ByteBuf out = Unpooled.buffer(64);
            int length = bpdu.encode(out, 2, source);
            assertEquals(Bpdu.MIN_FRAME_LENGTH, length);
            ByteBuf padded = Unpooled.buffer(60).writeZero(60).setBytes(0, original);
            assertEquals(ByteBufUtil.hexDump(padded), ByteBufUtil.hexDump(out, 2, length), hex);
        }
    }

    @Test
    void encodesWhatTheProtocolAsksAndReadsItBack() {
        PriorityVector vector = new PriorityVector(BridgeId.parse("1000.020000000001"), 4000,
                BridgeId.parse("f000.0200000000ff"), PortId.of(240, 4095));
        StpTimes times = new StpTimes(3, 40, 10, 30);
        for (BpduType type : BpduType.values()) {
            Bpdu sent = new Bpdu();
            if (type == BpduType.TCN) {
                sent.tcn();
            } else {
                int flags = type == BpduType.RST ? Bpdu.FLAG_AGREEMENT | Bpdu.ROLE_ROOT | Bpdu.FLAG_FORWARDING | Bpdu.FLAG_TC
                        : Bpdu.FLAG_TC | Bpdu.FLAG_TC_ACK;
                sent.of(type, flags, vector, times);
            }
            ByteBuf buf = Unpooled.buffer(80);
            int length = sent.encode(buf, 7, 0x0200_0000_0042L);
            Bpdu read = new Bpdu();
            assertEquals(BpduStatus.VALID, read.decode(buf, 7, length), type.name());
            assertEquals(type, read.type());
            if (type != BpduType.TCN) {
                assertEquals(sent.flags(), read.flags());
                assertEquals(vector, read.vector());
                assertEquals(times, read.times());
            }
            assertEquals(0x0200_0000_0042L, (long) buf.getUnsignedShort(13) << 32 | buf.getUnsignedInt(15));
        }
    }

    static Stream<Arguments> malformed() {
        String rst = SPEC_RST.replace(" ", "");
        return Stream.of(
                Arguments.of("a runt", rst.substring(0, 40), BpduStatus.TOO_SHORT),
                Arguments.of("cut short of its length field", rst.substring(0, 2 * 40), BpduStatus.TOO_SHORT),
                Arguments.of("an RST BPDU one byte short", with(rst, 12, "0026"), BpduStatus.TOO_SHORT),
                Arguments.of("a configuration BPDU one byte short", with(with(rst, 12, "0025"), 20, "00"), BpduStatus.TOO_SHORT),
                Arguments.of("a length field shorter than a TCN", with(rst, 12, "0006"), BpduStatus.TOO_SHORT),
                Arguments.of("to another link-local group", with(rst, 5, "01"), BpduStatus.WRONG_ADDRESS),
                Arguments.of("to a unicast address", with(rst, 0, "02"), BpduStatus.WRONG_ADDRESS),
                Arguments.of("with an 802.1Q tag", with(rst, 12, "8100"), BpduStatus.BAD_LLC),
                Arguments.of("with an EtherType", with(rst, 12, "0800"), BpduStatus.BAD_LLC),
                Arguments.of("with another LLC SAP", with(rst, 14, "aa"), BpduStatus.BAD_LLC),
                Arguments.of("with LLC control other than UI", with(rst, 16, "13"), BpduStatus.BAD_LLC),
                Arguments.of("another protocol", with(rst, 18, "01"), BpduStatus.UNKNOWN_PROTOCOL),
                Arguments.of("an unknown type", with(rst, 20, "03"), BpduStatus.UNKNOWN_TYPE),
                Arguments.of("an RST type at version 0", with(rst, 19, "00"), BpduStatus.UNKNOWN_VERSION),
                Arguments.of("an RST type at version 1", with(rst, 19, "01"), BpduStatus.UNKNOWN_VERSION),
                Arguments.of("a zero hello time", with(rst, 48, "0000"), BpduStatus.BAD_TIMERS),
                Arguments.of("an 11 s hello time", with(rst, 48, "0b00"), BpduStatus.BAD_TIMERS),
                Arguments.of("a 5 s max age", with(rst, 46, "0500"), BpduStatus.BAD_TIMERS),
                Arguments.of("a 41 s max age", with(rst, 46, "2900"), BpduStatus.BAD_TIMERS),
                Arguments.of("a 1 s forward delay", with(rst, 50, "0100"), BpduStatus.BAD_TIMERS),
                Arguments.of("a 31 s forward delay", with(rst, 50, "1f00"), BpduStatus.BAD_TIMERS),
                Arguments.of("a message age equal to max age", with(rst, 44, "1400"), BpduStatus.MESSAGE_AGE_EXCEEDED),
                Arguments.of("a message age past max age", with(rst, 44, "ff00"), BpduStatus.MESSAGE_AGE_EXCEEDED));
    }

    /** The frame (as hex) with the bytes at {@code offset} replaced by {@code hex}. */
    static String with(String frame, int offset, String hex) {
        return frame.substring(0, 2 * offset) + hex + frame.substring(2 * offset + hex.length());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void tellsWhatIsWrongWithAMalformedBpdu(String what, String hex, BpduStatus expected) {
        ByteBuf buf = frame(hex);
        assertEquals(expected, new Bpdu().decode(buf, 0, buf.readableBytes()));
    }

    @Test
    void readsAnMstpBpduAsTheRstBpduItBeginsWith() {
        // 9.3.4 c: versions above 2 are decoded as RST BPDUs; what follows Version 1 Length is ignored
        Bpdu bpdu = decodeValid(with(SPEC_RST.replace(" ", ""), 19, "03"));
        assertEquals(BpduType.RST, bpdu.type());
        assertEquals(3, bpdu.version());
    }

    @Test
    void readsATcnWhateverFollowsIt() {
        // padding after the length field's end, and a frame offset into its buffer
        String tcn = "ffff" + KERNEL_TCN.replace(" ", "") + "00".repeat(39);
        ByteBuf buf = frame(tcn);
        Bpdu bpdu = new Bpdu();
        assertEquals(BpduStatus.VALID, bpdu.decode(buf, 2, 60));
        assertEquals(BpduType.TCN, bpdu.type());
    }
}

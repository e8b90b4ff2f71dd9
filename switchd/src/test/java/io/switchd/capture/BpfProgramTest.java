package io.switchd.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** tcpdump filters compiled by libpcap and run by {@link BpfProgram} on frames where they lie in a buffer. */
class BpfProgramTest {
    private static final int AT = 7; // frames sit at an odd offset in a bigger buffer, as in a loop's buffer

    @BeforeAll
    static void libpcap() {
        try {
            PcapFilter.compile("ip", 65535, 1);
        } catch (PcapFilter.FilterException e) {
            assumeTrue(!e.missingLibrary() || !"1".equals(System.getenv("SWITCHD_REQUIRE_NETNS_TESTS")), e.getMessage());
            assumeTrue(false, e.getMessage());
        }
    }

    private static boolean matches(String filter, byte[] frame) throws Exception {
        BpfProgram p = PcapFilter.compile(filter, 65535, 2);
        ByteBuf buf = Unpooled.buffer(frame.length + 20);
        buf.setBytes(AT, frame);
        return p.run(buf, AT, frame.length, 1) != 0;
    }

    /** An IPv4 frame from 10.0.0.1 to 10.0.0.2 of {@code protocol} with {@code l4} after the IP header; tagged with {@code vid} if > 0. */
    private static byte[] ipv4(int protocol, int vid, byte... l4) {
        ByteBuf f = Unpooled.buffer();
        f.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        if (vid > 0) {
            f.writeShort(0x8100).writeShort(vid);
        }
        f.writeShort(0x0800);
        f.writeByte(0x45).writeByte(0).writeShort(20 + l4.length).writeInt(0).writeByte(64).writeByte(protocol)
                .writeShort(0).writeBytes(new byte[] {10, 0, 0, 1}).writeBytes(new byte[] {10, 0, 0, 2});
        f.writeBytes(l4);
        byte[] out = new byte[f.readableBytes()];
        f.readBytes(out);
        return out;
    }

    @Test
    void aProtocolFilterTellsIcmpFromUdp() throws Exception {
        byte[] icmp = ipv4(1, 0, (byte) 8, (byte) 0, (byte) 0, (byte) 0);
        byte[] udp = ipv4(17, 0, (byte) 0x30, (byte) 0x39, (byte) 0, (byte) 80, (byte) 0, (byte) 8, (byte) 0, (byte) 0);
        assertTrue(matches("icmp", icmp));
        assertFalse(matches("icmp", udp));
        assertTrue(matches("udp dst port 80", udp));
        assertFalse(matches("udp dst port 81", udp));
        assertTrue(matches("host 10.0.0.2 and not tcp", udp));
    }

    @Test
    void aVlanFilterLooksInsideTheTag() throws Exception {
        byte[] tagged = ipv4(1, 10, (byte) 8, (byte) 0, (byte) 0, (byte) 0);
        assertTrue(matches("vlan 10 and icmp", tagged));
        assertFalse(matches("vlan 20", tagged));
        assertFalse(matches("icmp", tagged)); // as with tcpdump on a trunk: the tag comes first
    }

    @Test
    void aFrameShorterThanWhatTheFilterReadsDoesNotMatch() throws Exception {
        byte[] header = new byte[14];
        header[12] = 0x08;
        assertFalse(matches("udp port 53", header));
    }

    @Test
    void aSyntaxErrorIsLibpcapsMessage() {
        PcapFilter.FilterException e = assertThrows(PcapFilter.FilterException.class,
                () -> PcapFilter.compile("tcp prot 80", 65535, 1));
        assertFalse(e.missingLibrary());
        assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
    }

    @Test
    void aProgramThatJumpsOutOrDoesNotReturnIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BpfProgram(new short[] {0x05}, new byte[1], new byte[1],
                new int[] {5}, 1));
        assertThrows(IllegalArgumentException.class, () -> new BpfProgram(new short[] {0x00}, new byte[1], new byte[1],
                new int[] {0}, 1));
        BpfProgram accept = new BpfProgram(new short[] {0x06}, new byte[1], new byte[1], new int[] {65535}, 1);
        assertEquals(65535, accept.run(Unpooled.buffer(1), 0, 0, 0));
    }
}

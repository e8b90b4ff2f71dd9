package io.switchd.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class FlowKeyTest {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;

    @Test
    void framesOfOneStreamShareAConversationWhateverTheirPortsAndLength() {
        long a = FlowKey.of(ipv4(TCP, 0xC6120001, 0xC6120002, 40000, 5201, 1514), 0, 1514, 0);
        long b = FlowKey.of(ipv4(TCP, 0xC6120001, 0xC6120002, 40000, 5201, 66), 0, 66, 0);
        long fragment = FlowKey.of(ipv4(TCP, 0xC6120001, 0xC6120002, 1, 2, 66), 0, 66, 0);
        assertNotEquals(FlowKey.NONE, a);
        assertEquals(a, b);
        assertEquals(a, fragment, "ports are not part of it: a later fragment has none");
    }

    @Test
    void aPingAndAStreamBetweenTheSameHostsAreTwoConversations() {
        long tcp = FlowKey.of(ipv4(TCP, 0xC6120001, 0xC6120002, 1, 2, 1514), 0, 1514, 0);
        long ping = FlowKey.of(ipv4(ICMP, 0xC6120001, 0xC6120002, 0, 0, 98), 0, 98, 0);
        long udp = FlowKey.of(ipv4(UDP, 0xC6120001, 0xC6120002, 1, 2, 98), 0, 98, 0);
        long back = FlowKey.of(ipv4(TCP, 0xC6120002, 0xC6120001, 2, 1, 66), 0, 66, 0);
        long otherVlan = FlowKey.of(ipv4(TCP, 0xC6120001, 0xC6120002, 1, 2, 1514), 0, 1514, 7);
        assertNotEquals(tcp, ping);
        assertNotEquals(tcp, udp);
        assertNotEquals(tcp, back);
        assertNotEquals(tcp, otherVlan);
    }

    @Test
    void ipv6ConversationsAreToldByAddressesAndNextHeader() {
        ByteBuf f = Unpooled.buffer(100).writerIndex(100);
        f.setShort(12, 0x86DD).setByte(14, 0x60).setByte(20, TCP).setLong(22, 0x20010db8L << 32).setLong(38, 0x20010db8L << 32 | 2);
        long tcp = FlowKey.of(f, 0, 100, 0);
        f.setByte(20, 58);
        long icmp = FlowKey.of(f, 0, 100, 0);
        f.setLong(38, 0x20010db8L << 32 | 3);
        long elsewhere = FlowKey.of(f, 0, 100, 0);
        assertNotEquals(FlowKey.NONE, tcp);
        assertNotEquals(tcp, icmp);
        assertNotEquals(icmp, elsewhere);
    }

    @Test
    void framesWhoseConversationCannotBeToldHaveNone() {
        ByteBuf arp = Unpooled.buffer(60).writerIndex(60).setShort(12, 0x0806);
        ByteBuf tagged = Unpooled.buffer(60).writerIndex(60).setShort(12, 0x8100).setShort(16, 0x0800);
        ByteBuf notV4 = ipv4(TCP, 1, 2, 3, 4, 60).setByte(14, 0x60);
        assertEquals(FlowKey.NONE, FlowKey.of(arp, 0, 60, 0));
        assertEquals(FlowKey.NONE, FlowKey.of(tagged, 0, 60, 0));
        assertEquals(FlowKey.NONE, FlowKey.of(notV4, 0, 60, 0));
        assertEquals(FlowKey.NONE, FlowKey.of(ipv4(TCP, 1, 2, 3, 4, 60), 0, 30, 0), "cut short");
    }

    private static ByteBuf ipv4(int protocol, int src, int dst, int sport, int dport, int length) {
        ByteBuf f = Unpooled.buffer(length).writerIndex(length);
        f.setShort(12, 0x0800).setByte(14, 0x45).setByte(23, protocol).setInt(26, src).setInt(30, dst);
        if (length >= 38) {
            f.setShort(34, sport).setShort(36, dport);
        }
        return f;
    }
}

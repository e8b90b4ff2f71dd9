package io.switchd.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacAddressTest {
    @Test
    void parsesAndFormats() {
        assertEquals(0x0200_0000_0001L, MacAddress.parse("02:00:00:00:00:01"));
        assertEquals(0xAABB_CCDD_EEFFL, MacAddress.parse("AA-bb-CC-dd-EE-ff"));
        assertEquals("aa:bb:cc:dd:ee:ff", MacAddress.format(0xAABB_CCDD_EEFFL));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00:0g"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02.00.00.00.00.01"));
    }

    @Test
    void classifiesGroupAndLinkLocalAddresses() {
        assertTrue(MacAddress.isGroup(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(0x0100_5E00_0001L));
        assertFalse(MacAddress.isGroup(0x0200_0000_0001L));
        assertTrue(MacAddress.isLinkLocal(0x0180_C200_0000L));
        assertTrue(MacAddress.isLinkLocal(0x0180_C200_000FL));
        assertFalse(MacAddress.isLinkLocal(0x0180_C200_0010L));
        assertFalse(MacAddress.isLinkLocal(0x0100_5E00_0001L));
    }

    @Test
    void readsUntaggedAndTaggedHeadersInPlace() {
        ByteBuf b = Unpooled.buffer(64);
        b.writeBytes(new byte[] {3, 3, 3, 3, 3, 3});
        b.writeShort(0x0200).writeInt(0x0000_0001);
        b.writeShort(0x8100).writeShort(0x2000 | 42).writeShort(0x0800);
        assertEquals(0x0303_0303_0303L, EthernetFrame.destination(b, 0));
        assertEquals(0x0200_0000_0001L, EthernetFrame.source(b, 0));
        assertTrue(EthernetFrame.isTag(EthernetFrame.type(b, 0)));
        assertEquals(42, EthernetFrame.vid(b, 0), "the PCP bits are not the VLAN");
        assertFalse(EthernetFrame.isTag(0x0800));
        assertTrue(EthernetFrame.isTag(0x88A8));
    }
}

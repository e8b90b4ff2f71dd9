package io.switchd.stp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeIdTest {
    @Test
    void bridgeIdsReadAsTheLinuxBridgeWritesThem() {
        long id = BridgeId.of(32768, 0, 0x02AA_BBCC_DDEEL);
        assertEquals("8000.02aabbccddee", BridgeId.format(id));
        assertEquals(id, BridgeId.parse("8000.02aabbccddee"));
        assertEquals(0x8000, BridgeId.priority(id));
        assertEquals(0x02AA_BBCC_DDEEL, BridgeId.mac(id));
        assertEquals("f00a.020000000001", BridgeId.format(BridgeId.of(61440, 10, 0x0200_0000_0001L)));
        assertThrows(IllegalArgumentException.class, () -> BridgeId.parse("8000-02aabbccddee"));
        assertThrows(IllegalArgumentException.class, () -> BridgeId.parse("8000.02aabbccddeg"));
    }

    @Test
    void prioritiesAreWhat8021DAllows() {
        assertThrows(IllegalArgumentException.class, () -> BridgeId.of(1000, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> BridgeId.of(65536, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> BridgeId.of(4096, 4096, 1));
        assertThrows(IllegalArgumentException.class, () -> PortId.of(100, 1));
        assertThrows(IllegalArgumentException.class, () -> PortId.of(128, 0));
        assertThrows(IllegalArgumentException.class, () -> PortId.of(128, 4096));
    }

    @Test
    void portIdsCarryPriorityAndNumber() {
        int id = PortId.of(128, 1);
        assertEquals(0x8001, id);
        assertEquals("8001", PortId.format(id));
        assertEquals(128, PortId.priority(id));
        assertEquals(1, PortId.number(id));
        assertEquals("f0ff", PortId.format(PortId.of(240, 255)));
    }

    @Test
    void idsCompareUnsignedSoAPriorityWithTheTopBitIsWorse() {
        long low = BridgeId.of(4096, 0, 0xFFFF_FFFF_FFFFL);
        long high = BridgeId.of(32768, 0, 1);
        long highest = BridgeId.of(61440, 0, 1);
        assertTrue(BridgeId.compare(low, high) < 0);
        assertTrue(BridgeId.compare(high, highest) < 0);
        assertTrue(BridgeId.compare(BridgeId.of(32768, 0, 1), BridgeId.of(32768, 0, 2)) < 0);
    }

    @Test
    void priorityVectorsCompareComponentByComponent() {
        long a = BridgeId.of(32768, 0, 0xA);
        long b = BridgeId.of(32768, 0, 0xB);
        PriorityVector base = new PriorityVector(a, 10, b, 0x8001);
        assertTrue(new PriorityVector(BridgeId.of(4096, 0, 0xF), 1000, b, 0x8001).betterThan(base));
        assertTrue(new PriorityVector(a, 9, b, 0x8001).betterThan(base));
        assertTrue(new PriorityVector(a, 10, a, 0x8001).betterThan(base));
        assertTrue(new PriorityVector(a, 10, b, 0x8000).betterThan(base));
        assertFalse(base.betterThan(base));
        assertFalse(new PriorityVector(b, 0, b, 0).betterThan(base));
        assertTrue(PriorityVector.ofBridge(a).betterThan(PriorityVector.ofBridge(b)));
        assertEquals(new PriorityVector(a, 15, b, 0x8001), base.plusCost(5));
    }

    @Test
    void theSameSenderSupersedesWhatItSaidBeforeEvenWhenWorse() {
        long a = BridgeId.of(32768, 0, 0xA);
        long b = BridgeId.of(32768, 0, 0xB);
        PriorityVector was = new PriorityVector(a, 10, b, 0x8001);
        // 17.6: same designated bridge address and port number, even with other priorities
        assertTrue(new PriorityVector(b, 0, BridgeId.of(61440, 0, 0xB), 0x1001).supersedes(was));
        assertTrue(was.supersedes(was));
        assertFalse(new PriorityVector(a, 11, BridgeId.of(32768, 0, 0xC), 0x8001).supersedes(was));
        assertFalse(new PriorityVector(a, 11, b, 0x8002).supersedes(was));
    }

    @Test
    void bridgeTimesFollow8021DsRules() {
        assertEquals(new StpTimes(0, 20, 2, 15), StpTimes.bridge(2, 20, 15));
        assertEquals(new StpTimes(0, 6, 1, 4), StpTimes.bridge(1, 6, 4));
        assertThrows(IllegalArgumentException.class, () -> StpTimes.bridge(0, 20, 15));
        assertThrows(IllegalArgumentException.class, () -> StpTimes.bridge(2, 41, 30));
        assertThrows(IllegalArgumentException.class, () -> StpTimes.bridge(2, 20, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StpTimes.bridge(2, 20, 4));
        assertTrue(e.getMessage().contains("max-age <= 2 x (forward-delay - 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StpTimes.bridge(4, 8, 15));
    }
}

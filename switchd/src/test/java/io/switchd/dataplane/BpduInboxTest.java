package io.switchd.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.port.MemoryPort;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-off of BPDUs from a loop to the protocol's thread: bounded, in order, counting what it drops. */
class BpduInboxTest {

    @Test
    void aFullInboxDropsAndCountsThenTakesMoreOnceRead() {
        BpduInbox inbox = new BpduInbox();
        MemoryPort port = new MemoryPort("p", 1, (buf, offset, length) -> { });
        ByteBuf frame = Unpooled.buffer(60);
        for (int i = 0; i < BpduInbox.SLOTS; i++) {
            frame.setByte(0, i);
            assertTrue(inbox.offer(port, frame, 0, 60));
        }
        assertFalse(inbox.offer(port, frame, 0, 60));
        assertEquals(1, inbox.dropped());

        List<Integer> first = new ArrayList<>();
        assertEquals(BpduInbox.SLOTS, inbox.drain((p, f, offset, length) -> first.add((int) f.getByte(offset))));
        assertEquals(0, first.get(0));
        assertEquals(BpduInbox.SLOTS - 1, first.get(BpduInbox.SLOTS - 1));
        assertTrue(inbox.offer(port, frame, 0, 60));
        assertEquals(1, inbox.drain((p, f, offset, length) -> assertEquals(60, length)));
    }

    @Test
    void keepsAtMostASlotOfALongFrame() {
        BpduInbox inbox = new BpduInbox();
        MemoryPort port = new MemoryPort("p", 1, (buf, offset, length) -> { });
        inbox.offer(port, Unpooled.buffer(1500).writerIndex(1500), 0, 1500);
        inbox.drain((p, f, offset, length) -> assertEquals(BpduInbox.SLOT_BYTES, length));
    }
}

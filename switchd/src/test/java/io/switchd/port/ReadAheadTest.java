package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.dataplane.LoopContext;
import io.switchd.frame.FlowKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-ahead's ring against a model: frames of any size come out whole, in the order they went
 * in, however the slots wrap; it refuses a read only when a whole one would not fit; and a forward
 * stops at its byte budget.
 */
class ReadAheadTest {
    private final LoopContext ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));

    /** Records what it is handed: each frame's first 8 bytes are its sequence number, the rest a pattern of it. */
    private static final class Recorder implements ReadAhead.Holder {
        final List<Long> got = new ArrayList<>();

        @Override
        public void forwardHeld(ByteBuf buf, int offset, int length, long conversation, LoopContext ctx) {
            long seq = buf.getLong(offset);
            assertEquals(seq * 31, conversation, "the frame's conversation travels with it");
            for (int i = 8; i < length; i += 997) {
                assertEquals((byte) (seq + i), buf.getByte(offset + i), "byte " + i + " of frame " + seq);
            }
            assertEquals((byte) (seq + length - 1), buf.getByte(offset + length - 1), "last byte of frame " + seq);
            got.add(seq);
        }
    }

    private static void write(ReadAhead ahead, int slot, long seq, int length) {
        ByteBuf buf = ahead.buffer();
        int at = slot + FdPort.HEADROOM;
        buf.setLong(at, seq);
        for (int i = 8; i < length; i += 997) {
            buf.setByte(at + i, (byte) (seq + i));
        }
        buf.setByte(at + length - 1, (byte) (seq + length - 1));
    }

    @Test
    void framesOfAnySizeComeOutWholeAndInOrderAcrossManyWraps() {
        ReadAhead ahead = new ReadAhead();
        Recorder recorder = new Recorder();
        Random random = new Random(7);
        ArrayDeque<Long> expected = new ArrayDeque<>();
        long seq = 0;
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            if (random.nextInt(5) > 0) {
                int slot = ahead.reserve();
                if (slot < 0) {
                    refused++;
                    assertTrue(ahead.waiting() > 0, "an empty read-ahead always has room");
                } else {
                    int length = random.nextBoolean() ? 60 + random.nextInt(200) : 1_000 + random.nextInt(65_546);
                    write(ahead, slot, seq, length);
                    ahead.commit(recorder, slot, length, seq * 31);
                    expected.add(seq++);
                }
            } else {
                int before = recorder.got.size();
                ahead.forward(ctx, 1 + random.nextInt(40_000));
                for (int i = before; i < recorder.got.size(); i++) {
                    assertEquals(expected.poll(), recorder.got.get(i));
                }
            }
        }
        int before = recorder.got.size();
        ahead.forward(ctx, Integer.MAX_VALUE);
        for (int i = before; i < recorder.got.size(); i++) {
            assertEquals(expected.poll(), recorder.got.get(i));
        }
        assertFalse(ahead.pending());
        assertTrue(expected.isEmpty(), "every frame came out");
        assertTrue(refused > 0, "the ring filled up at times (else this test shows nothing of wrapping)");
        assertTrue(seq > 5_000);
    }

    @Test
    void holdsAboutItsSizeAndRefusesOnlyAWholeReadThatWouldNotFit() {
        ReadAhead ahead = new ReadAhead();
        Recorder recorder = new Recorder();
        int frames = 0;
        int slot;
        while ((slot = ahead.reserve()) >= 0) {
            write(ahead, slot, frames, 65_546);
            ahead.commit(recorder, slot, 65_546, frames * 31L);
            frames++;
        }
        // 4 MB of super-frames, less the last read's room
        assertEquals((ReadAhead.SIZE - LoopContext.BUFFER_SIZE) / 65_600 + 1, frames);
        ahead.forward(ctx, 1);
        assertEquals(List.of(0L), recorder.got, "a forward takes at least one frame, then stops at its budget");
        assertTrue(ahead.reserve() < 0, "one super-frame's slot is less than a whole read's room");
        ahead.forward(ctx, 1);
        assertTrue(ahead.reserve() == 0, "two of them are more: the next read goes at the front");
    }

    @Test
    void conversationsPassOnlyWhenNothingOfTheirsWaits() {
        HeldConversations held = new HeldConversations();
        assertTrue(held.mayPass(FlowKey.NONE), "nothing held: anything may go");
        held.add(5);
        assertFalse(held.mayPass(5));
        assertTrue(held.mayPass(6));
        assertFalse(held.mayPass(FlowKey.NONE), "a frame of no known conversation passes nothing");
        for (long k = 10; k < 20; k++) {
            held.add(k); // past the conversations told apart
        }
        assertFalse(held.mayPass(6), "too many conversations to tell: nothing passes");
        for (long k = 10; k < 20; k++) {
            held.remove(k);
        }
        assertTrue(held.mayPass(6));
        held.add(FlowKey.NONE);
        assertFalse(held.mayPass(6));
        held.remove(FlowKey.NONE);
        held.remove(5);
        assertEquals(0, held.held());
        assertTrue(held.mayPass(5));
    }
}

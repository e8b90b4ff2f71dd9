package io.switchd.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The capture ring keeps frames in order, cut to the snap length, and refuses them when full. */
class CaptureRingTest {
    private record Got(int port, int direction, long nanos, int original, byte[] data) {}

    private static List<Got> drain(CaptureRing ring) {
        List<Got> out = new ArrayList<>();
        while (ring.poll((port, direction, nanos, original, buf, from, length) -> {
            byte[] d = new byte[length];
            buf.getBytes(from, d);
            out.add(new Got(port, direction, nanos, original, d));
        })) {
            // next
        }
        return out;
    }

    @Test
    void framesComeOutInOrderCutToTheSnapLength() {
        CaptureRing ring = new CaptureRing(4, 0);
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {9, 1, 2, 3, 4, 5, 6});
        assertTrue(ring.offer(3, Capture.IN, 111, frame, 1, 6));
        assertTrue(ring.offer(4, Capture.OUT, 222, frame, 1, 2));
        List<Got> got = drain(ring);
        assertEquals(2, got.size());
        assertEquals(3, got.get(0).port());
        assertEquals(Capture.IN, got.get(0).direction());
        assertEquals(111, got.get(0).nanos());
        assertEquals(6, got.get(0).original());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, got.get(0).data());
        assertArrayEquals(new byte[] {1, 2}, got.get(1).data());
        assertEquals(Capture.OUT, got.get(1).direction());
    }

    @Test
    void aFullRingRefusesUntilDrained() {
        CaptureRing ring = new CaptureRing(64, 0);
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[60]);
        for (int i = 0; i < ring.capacity(); i++) {
            assertTrue(ring.offer(i, Capture.IN, i, frame, 0, 60), "slot " + i);
        }
        assertFalse(ring.offer(0, Capture.IN, 0, frame, 0, 60));
        assertEquals(ring.capacity(), drain(ring).size());
        assertTrue(ring.offer(0, Capture.IN, 0, frame, 0, 60));
        assertEquals(1, drain(ring).size());
    }

    @Test
    void manyProducersLoseNothingTheRingHadRoomFor() throws Exception {
        CaptureRing ring = new CaptureRing(16, 1 << 20);
        int perThread = ring.capacity() / 4;
        Thread[] producers = new Thread[4];
        for (int t = 0; t < producers.length; t++) {
            int port = t;
            producers[t] = new Thread(() -> {
                ByteBuf frame = Unpooled.wrappedBuffer(new byte[16]);
                for (int i = 0; i < perThread; i++) {
                    frame.setInt(0, i);
                    if (!ring.offer(port, Capture.IN, i, frame, 0, 16)) {
                        throw new AssertionError("refused with room left");
                    }
                }
            });
            producers[t].start();
        }
        for (Thread t : producers) {
            t.join();
        }
        List<Got> got = drain(ring);
        assertEquals(perThread * 4, got.size());
        for (int port = 0; port < 4; port++) {
            int p = port;
            List<Long> seq = got.stream().filter(g -> g.port() == p).map(Got::nanos).toList();
            for (int i = 0; i < perThread; i++) {
                assertEquals(i, seq.get(i), "port " + p + " in order"); // each producer's frames keep their order
            }
        }
    }
}

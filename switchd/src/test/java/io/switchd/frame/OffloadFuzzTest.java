package io.switchd.frame;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.VirtioNetHeader;

/**
 * Coverage-guided fuzzing (Jazzer) of what switchd does in software for a guest that takes no
 * offloads, over frames and virtio-net headers an untrusted sender chose: completing a partial
 * checksum and cutting a TCP super-frame must never throw or touch bytes outside the frame, and
 * every segment must fit the scratch buffer and hold at most gso_size bytes of payload.
 */
class OffloadFuzzTest {
    private static final ByteBuf SCRATCH = Unpooled.directBuffer(VirtioNetHeader.SIZE + 65_536 + 256);

    @FuzzTest(maxDuration = "10s")
    void hostileHeadersStayInsideTheirFrame(FuzzedDataProvider data) {
        int guard = 8;
        byte[] bytes = data.consumeRemainingAsBytes();
        if (bytes.length < VirtioNetHeader.SIZE) {
            return;
        }
        ByteBuf buf = Unpooled.buffer(guard + bytes.length + guard);
        buf.writeZero(guard).writeBytes(bytes).writeZero(guard);
        int mss = buf.getUnsignedShortLE(guard + VirtioNetHeader.GSO_SIZE_OFFSET);
        int[] segments = {0};
        int n = TcpSegmenter.segment(buf, guard, bytes.length, SCRATCH, (b, off, len) -> {
            if (off != 0 || len > b.capacity() || len < VirtioNetHeader.SIZE) {
                throw new AssertionError("a segment outside the scratch buffer: " + off + "+" + len);
            }
            segments[0]++;
        });
        if (n != TcpSegmenter.MALFORMED && (n != segments[0] || mss == 0)) {
            throw new AssertionError(n + " segments reported, " + segments[0] + " given");
        }
        PartialChecksum.complete(buf, guard, bytes.length);
        for (int i = 0; i < guard; i++) {
            if (buf.getByte(i) != 0 || buf.getByte(guard + bytes.length + i) != 0) {
                throw new AssertionError("a byte outside the frame changed");
            }
        }
    }
}

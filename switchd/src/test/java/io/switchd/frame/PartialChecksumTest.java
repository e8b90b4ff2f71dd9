package io.switchd.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.VirtioNetHeader;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A UDP/IPv4 frame sent with its checksum left partial gets the checksum a full computation gives. */
class PartialChecksumTest {
    private static final int ETH = 14;
    private static final int IP = 20;

    @Test
    void completesUdpChecksumsOfEveryLengthAsAFullComputationWould() {
        Random random = new Random(7);
        for (int payload = 0; payload < 200; payload++) {
            ByteBuf buf = udpFrame(payload, random);
            int udp = VirtioNetHeader.SIZE + ETH + IP;
            int expected = fullChecksum(buf, udp, 8 + payload);
            // what a sender with checksum offload writes: the pseudo-header's folded sum, not complemented
            buf.setShort(udp + 6, fold(pseudoSum(buf, 8 + payload)));
            buf.setByte(0, VirtioNetHeader.F_NEEDS_CSUM);
            buf.setShortLE(VirtioNetHeader.CSUM_START_OFFSET, ETH + IP);
            buf.setShortLE(VirtioNetHeader.CSUM_OFFSET_OFFSET, 6);

            assertTrue(PartialChecksum.complete(buf, 0, buf.writerIndex()));
            assertEquals(expected, buf.getUnsignedShort(udp + 6), "payload " + payload);
            assertEquals(0, buf.getByte(0) & VirtioNetHeader.F_NEEDS_CSUM, "NEEDS_CSUM cleared");
            buf.release();
        }
    }

    @Test
    void refusesOffsetsOutsideTheFrameAndChangesNothing() {
        ByteBuf buf = udpFrame(10, new Random(1));
        buf.setByte(0, VirtioNetHeader.F_NEEDS_CSUM);
        buf.setShortLE(VirtioNetHeader.CSUM_START_OFFSET, ETH + IP);
        buf.setShortLE(VirtioNetHeader.CSUM_OFFSET_OFFSET, 60_000);
        ByteBuf before = buf.copy();
        assertFalse(PartialChecksum.complete(buf, 0, buf.writerIndex()));
        assertEquals(before, buf);
        buf.setShortLE(VirtioNetHeader.CSUM_START_OFFSET, 65_535);
        buf.setShortLE(VirtioNetHeader.CSUM_OFFSET_OFFSET, 0);
        assertFalse(PartialChecksum.complete(buf, 0, buf.writerIndex()));
        buf.release();
        before.release();
    }

    private static ByteBuf udpFrame(int payload, Random random) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeZero(VirtioNetHeader.SIZE);
        buf.writeZero(12);
        buf.writeShort(0x0800);
        buf.writeByte(0x45).writeByte(0).writeShort(IP + 8 + payload).writeInt(0).writeByte(64).writeByte(17)
                .writeShort(0).writeInt(0x0A000001).writeInt(0x0A000002);
        buf.writeShort(4000 + payload).writeShort(5000).writeShort(8 + payload).writeShort(0);
        for (int i = 0; i < payload; i++) {
            buf.writeByte(random.nextInt(256));
        }
        return buf;
    }

    private static long pseudoSum(ByteBuf buf, int udpLength) {
        int ip = VirtioNetHeader.SIZE + ETH;
        return buf.getUnsignedShort(ip + 12) + buf.getUnsignedShort(ip + 14) + buf.getUnsignedShort(ip + 16)
                + buf.getUnsignedShort(ip + 18) + 17 + udpLength;
    }

    private static int fullChecksum(ByteBuf buf, int udp, int udpLength) {
        long sum = pseudoSum(buf, udpLength);
        for (int i = 0; i < udpLength; i += 2) {
            int hi = buf.getUnsignedByte(udp + i) << 8;
            int lo = i + 1 < udpLength ? buf.getUnsignedByte(udp + i + 1) : 0;
            sum += hi | lo;
        }
        int c = ~fold(sum) & 0xFFFF;
        return c == 0 ? 0xFFFF : c;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}

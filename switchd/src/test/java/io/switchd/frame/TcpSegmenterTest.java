package io.switchd.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.sys.VirtioNetHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TCP super-frames cut into what a NIC would have sent: every segment at most gso_size of payload,
 * with its own IP length, IPv4 id and header checksum, sequence number, flags and a TCP checksum
 * that verifies; the payloads put together are the super-frame's.
 */
class TcpSegmenterTest {
    private static final int V4 = 4;
    private static final int V6 = 6;

    @ParameterizedTest(name = "IPv{0}, {1} bytes, mss {2}, tagged {3}")
    @CsvSource({"4, 5000, 1448, false", "4, 1448, 1448, false", "4, 1, 1448, false", "6, 64000, 1428, false",
            "4, 9000, 1000, true", "6, 2897, 1448, true"})
    void cutsASuperFrameIntoSegmentsThatVerify(int ip, int payloadLength, int mss, boolean tagged) {
        byte[] payload = new byte[payloadLength];
        new Random(payloadLength).nextBytes(payload);
        ByteBuf frame = superFrame(ip, tagged, payload, mss, 0x08 | 0x01 | 0x80 | 0x10); // PSH FIN CWR ACK
        List<byte[]> segments = new ArrayList<>();
        ByteBuf scratch = Unpooled.directBuffer(70_000);
        int n = TcpSegmenter.segment(frame, 0, frame.writerIndex(), scratch, (b, off, len) -> {
            byte[] copy = new byte[len];
            b.getBytes(off, copy);
            segments.add(copy);
        });
        assertEquals((payloadLength + mss - 1) / mss, n);
        assertEquals(n, segments.size());
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        int l3 = VirtioNetHeader.SIZE + 14 + (tagged ? 4 : 0);
        int l4 = l3 + (ip == V4 ? 20 : 40);
        for (int i = 0; i < n; i++) {
            ByteBuf s = Unpooled.wrappedBuffer(segments.get(i));
            for (int k = 0; k < VirtioNetHeader.SIZE; k++) {
                assertEquals(0, s.getByte(k), "an empty virtio-net header");
            }
            int data = s.capacity() - (l4 + 20);
            assertEquals(i < n - 1 ? mss : payloadLength - mss * (n - 1), data, "segment " + i);
            if (ip == V4) {
                assertEquals(s.capacity() - l3, s.getUnsignedShort(l3 + 2), "IPv4 total length");
                assertEquals((0x1234 + i) & 0xFFFF, s.getUnsignedShort(l3 + 4), "IPv4 id");
                assertEquals(0xFFFF, fold(sum(s, l3, 20)), "IPv4 header checksum");
            } else {
                assertEquals(s.capacity() - l4, s.getUnsignedShort(l3 + 4), "IPv6 payload length");
            }
            assertEquals(1000L + (long) i * mss, s.getUnsignedInt(l4 + 4), "sequence number");
            int flags = s.getUnsignedByte(l4 + 13);
            assertEquals(i == n - 1 ? 0x09 : 0, flags & 0x09, "PSH and FIN on the last segment only");
            assertEquals(i == 0 ? 0x80 : 0, flags & 0x80, "CWR on the first segment only");
            assertEquals(0x10, flags & 0x10, "ACK on every segment");
            int tcpLength = s.capacity() - l4;
            long pseudo = (ip == V4 ? sum(s, l3 + 12, 8) : sum(s, l3 + 8, 32)) + 6 + tcpLength;
            assertEquals(0xFFFF, fold(pseudo + sum(s, l4, tcpLength)), "TCP checksum of segment " + i);
            joined.write(segments.get(i), l4 + 20, data);
        }
        assertArrayEquals(payload, joined.toByteArray());
        frame.release();
        scratch.release();
    }

    @Test
    void refusesWhatIsNotATcpSuperFrameItCanCut() {
        ByteBuf scratch = Unpooled.directBuffer(70_000);
        TcpSegmenter.Sink none = (b, off, len) -> {
            throw new AssertionError("no segment expected");
        };
        ByteBuf udp = superFrame(V4, false, new byte[3000], 1448, 0x10);
        udp.setByte(VirtioNetHeader.SIZE + 14 + 9, 17);
        assertEquals(TcpSegmenter.MALFORMED, TcpSegmenter.segment(udp, 0, udp.writerIndex(), scratch, none));
        ByteBuf noMss = superFrame(V4, false, new byte[3000], 0, 0x10);
        assertEquals(TcpSegmenter.MALFORMED, TcpSegmenter.segment(noMss, 0, noMss.writerIndex(), scratch, none));
        ByteBuf cut = superFrame(V6, false, new byte[3000], 1448, 0x10);
        assertEquals(TcpSegmenter.MALFORMED, TcpSegmenter.segment(cut, 0, VirtioNetHeader.SIZE + 14 + 30, scratch, none));
        ByteBuf badOffset = superFrame(V4, false, new byte[100], 1448, 0x10);
        badOffset.setByte(VirtioNetHeader.SIZE + 14 + 20 + 12, 0xF0); // a TCP header of 60 bytes in a 20-byte one
        assertEquals(TcpSegmenter.MALFORMED, TcpSegmenter.segment(badOffset, 0, VirtioNetHeader.SIZE + 14 + 20 + 40,
                scratch, none));
        scratch.release();
    }

    private static ByteBuf superFrame(int ip, boolean tagged, byte[] payload, int mss, int flags) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(VirtioNetHeader.F_NEEDS_CSUM).writeByte(ip == V4 ? 1 : 4).writeShortLE(0).writeShortLE(mss)
                .writeShortLE(0).writeShortLE(16);
        b.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        if (tagged) {
            b.writeShort(0x8100).writeShort(10);
        }
        int tcpLength = 20 + payload.length;
        if (ip == V4) {
            b.writeShort(0x0800);
            b.writeByte(0x45).writeByte(0).writeShort(20 + tcpLength).writeShort(0x1234).writeShort(0x4000)
                    .writeByte(64).writeByte(6).writeShort(0).writeInt(0x0A000001).writeInt(0x0A000002);
        } else {
            b.writeShort(0x86DD);
            b.writeInt(0x60000000).writeShort(tcpLength).writeByte(6).writeByte(64);
            for (int i = 0; i < 32; i++) {
                b.writeByte(i);
            }
        }
        b.writeShort(40000).writeShort(5201).writeInt(1000).writeInt(77).writeByte(0x50).writeByte(flags)
                .writeShort(65535).writeShort(0x5555).writeShort(0);
        b.writeBytes(payload);
        return b;
    }

    private static long sum(ByteBuf b, int at, int length) {
        long s = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = b.getUnsignedByte(at + i) << 8;
            int lo = i + 1 < length ? b.getUnsignedByte(at + i + 1) : 0;
            s += hi | lo;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}

package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.sys.VirtioNetHeader;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A ping queued in a TAP behind a sender's bulk is forwarded before the bulk: the TAP's real queue
 * (the kernel's tun ring, filled from its interface by a packet socket in a namespace) is read
 * ahead into the loop's memory, the small frame of another conversation leaves at once, and the
 * big ones, and a small frame of their own conversation, leave afterwards in the order they came.
 */
class TapReadAheadTest {
    private static final long HOST_A = 0x02_00_00_00_aa_01L;
    private static final long HOST_B = 0x02_00_00_00_bb_01L;
    private static final int BULK = 20;

    @Test
    void aSmallFrameOfAnotherConversationOvertakesTheBulkQueuedBeforeIt() throws Exception {
        Netns.assumeAvailable();
        io.netty.channel.epoll.Epoll.ensureAvailability(); // the descriptor's reads are Netty's native ones
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String tap = "ra" + id;
        List<Long> order = new ArrayList<>();
        Bridge bridge = new Bridge(new BridgeConfig("br" + id, Duration.ofMinutes(5), 1024, 0, List.of(), List.of()), 1);
        MemoryPort out = new MemoryPort("out", 1, (buf, offset, length) -> {
            int eth = offset + VirtioNetHeader.SIZE;
            if (buf.getUnsignedShort(eth + 12) == 0x0800 && (buf.getLong(eth + 6) >>> 16) == HOST_A) {
                order.add(buf.getLong(eth + 14 + 20)); // the sequence number after the IPv4 header
            }
        });
        LoopContext ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));
        TapPort port = TapPort.open(tap, false, 1);
        try (Netns ns = Netns.create("ra" + id)) {
            port.attached(true); // as registering it on a loop would
            bridge.add(port);
            bridge.add(out);
            bridge.portsChanged();
            Netns.run("ip", "link", "set", tap, "netns", ns.name());
            ns.exec("ip", "link", "set", tap, "up");
            try (RawSocket host = RawSocket.openForTestAndIpv4Frames(ns, tap)) {
                for (int i = 0; i < BULK; i++) {
                    host.send(ipv4(17, 1, 2, i, 1400)); // a UDP stream from 10.0.0.1 to 10.0.0.2
                }
                host.send(ipv4(17, 1, 2, 1000, 100)); // a small frame of the same stream: keeps its place
                host.send(ipv4(1, 3, 2, 2000, 84));   // a ping from 10.0.0.3: goes first
                port.read(ctx, false);
                assertEquals(List.of(2000L), order, "after one read only the ping has left");
                ctx.readAhead().forward(ctx, Integer.MAX_VALUE);
                List<Long> expected = new ArrayList<>();
                expected.add(2000L);
                for (long i = 0; i < BULK; i++) {
                    expected.add(i);
                }
                expected.add(1000L);
                assertEquals(expected, order, "then the stream, in its order");
            }
        } finally {
            port.retire();
        }
    }

    /** An IPv4 frame from 10.0.0.{@code src} to 10.0.0.{@code dst} of {@code length} bytes, carrying {@code seq}. */
    private static byte[] ipv4(int protocol, int src, int dst, long seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putShort((short) (HOST_B >>> 32)).putInt((int) HOST_B);
        b.putShort((short) (HOST_A >>> 32)).putInt((int) HOST_A);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (length - 14)).putInt(0);
        b.put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.putInt(0x0a00_0000 | src).putInt(0x0a00_0000 | dst);
        b.putLong(seq);
        return b.array();
    }
}

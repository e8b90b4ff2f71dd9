package io.switchd.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A TCP transfer between two namespaces, checked by size and SHA-256: with the namespaces' offloads
 * on (checksums left to the NIC, TSO super-frames), whatever lies between must carry them intact.
 */
public final class NamespaceTcp {
    private static final int PORT = 5201;
    private static final long SECONDS = 120;

    private NamespaceTcp() {
    }

    /** Sends {@code bytes} random bytes from {@code from} to a listener on {@code toIp} in {@code to}. */
    public static void transfer(Netns from, Netns to, String toIp, int bytes) throws Exception {
        byte[] data = new byte[bytes];
        new Random(bytes * 31L + toIp.hashCode()).nextBytes(data);
        ServerSocketChannel server = to.inside(() -> {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(toIp, PORT));
            return s;
        });
        SocketChannel client = from.inside(SocketChannel::open);
        try (server; client) {
            CompletableFuture<Object[]> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept(); InputStream in = Channels.newInputStream(c)) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0; total += n) {
                        md.update(buf, 0, n);
                    }
                    return new Object[] {total, md.digest()};
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            client.socket().connect(new InetSocketAddress(toIp, PORT), 5000);
            try (OutputStream out = Channels.newOutputStream(client)) {
                out.write(data);
            }
            Object[] got = received.get(SECONDS, TimeUnit.SECONDS);
            System.out.println(bytes + " bytes " + from.name() + " -> " + to.name() + " in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertEquals((long) bytes, got[0], "bytes received from " + from.name());
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);
            assertArrayEquals(expected, (byte[]) got[1], from.name() + " to " + to.name() + ": data differs ("
                    + HexFormat.of().formatHex((byte[]) got[1], 0, 4) + ")");
        }
    }
}

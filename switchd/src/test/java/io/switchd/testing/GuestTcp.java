package io.switchd.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 16 MB over TCP between a {@link QemuGuest} and a host in a namespace, each way, checked by size
 * and SHA-256: the test that offloads (checksum, TSO) survive whatever lies between.
 */
public final class GuestTcp {
    private static final int SIZE = 16 << 20;
    private static final Duration TRANSFER = Duration.ofSeconds(120);

    private GuestTcp() {
    }

    /** Sends 16 MB from the guest to a listener on {@code hostIp} in {@code netns}; checks size and SHA-256. */
    public static void guestToHost(Netns netns, QemuGuest guest, String hostIp) throws Exception {
        String made = guest.run("dd if=/dev/urandom of=/tmp/out bs=1M count=16 2>/dev/null && sha256sum /tmp/out",
                TRANSFER);
        String guestSum = made.strip().split("\\s+")[0];
        try (ServerSocket server = netns.inside(() -> new ServerSocket(5001, 1, InetAddress.getByName(hostIp)))) {
            CompletableFuture<String[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0; total += n) {
                        sha.update(buf, 0, n);
                    }
                    return new String[] {HexFormat.of().formatHex(sha.digest()), Long.toString(total)};
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            guest.run("nc " + hostIp + " 5001 < /tmp/out", TRANSFER);
            String[] got = received.get(TRANSFER.toSeconds(), TimeUnit.SECONDS);
            System.out.println("16 MB guest -> namespace in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertEquals(Long.toString(SIZE), got[1], "bytes received from the guest");
            assertEquals(guestSum, got[0], "SHA-256 of what the guest sent");
        }
    }

    /** Sends 16 MB from {@code netns} to a listener in the guest at {@code guestIp}; checks size and SHA-256. */
    public static void hostToGuest(Netns netns, QemuGuest guest, String guestIp) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(14).nextBytes(data);
        String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        long t0 = System.nanoTime();
        // The guest's nc listens only once its command runs: connect until it does.
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            long end = System.nanoTime() + TRANSFER.toNanos();
            while (true) {
                try (Socket s = connect(netns, guestIp); OutputStream out = s.getOutputStream()) {
                    out.write(data);
                    s.shutdownOutput();
                    return;
                } catch (IllegalStateException e) {
                    if (!(e.getCause() instanceof ConnectException) || System.nanoTime() > end) {
                        throw e;
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                LockSupport.parkNanos(50_000_000); // the listener is a moment away

            }
        });
        String got = guest.run("nc -l -p 5002 > /tmp/in && wc -c < /tmp/in && sha256sum /tmp/in", TRANSFER);
        sent.get(TRANSFER.toSeconds(), TimeUnit.SECONDS);
        System.out.println("16 MB namespace -> guest in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        String[] words = got.strip().split("\\s+");
        assertEquals(Integer.toString(SIZE), words[0], "bytes the guest received");
        assertEquals(sum, words[1], "SHA-256 of what the guest received");
    }

    private static Socket connect(Netns netns, String guestIp) {
        return netns.inside(() -> {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(guestIp, 5002), 5000);
                return s;
            } catch (IOException e) {
                s.close();
                throw e;
            }
        });
    }
}

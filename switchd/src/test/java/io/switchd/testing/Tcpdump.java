package io.switchd.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump writing what one interface receives to a pcap file, as an operator runs it on a monitor
 * port; the test reads the file back while tcpdump runs. Stopped by its own PID.
 */
public final class Tcpdump implements AutoCloseable {
    private final Process process;
    private final Path file;

    private Tcpdump(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /**
     * Starts tcpdump on {@code ifname} (in {@code ns}, or in this namespace when null), writing to
     * {@code file}, and returns once it listens.
     */
    public static Tcpdump start(Netns ns, String ifname, Path file) throws IOException, InterruptedException {
        return start(ns, ifname, file, null);
    }

    /** As {@link #start(Netns, String, Path)}, keeping only the frames tcpdump's {@code filter} matches (null: all). */
    public static Tcpdump start(Netns ns, String ifname, Path file, String filter) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns.name()));
        }
        // immediate mode and -U: each frame is in the file as soon as it is seen, not when a buffer fills
        cmd.addAll(List.of("tcpdump", "-i", ifname, "-n", "--immediate-mode", "-U", "-w", file.toString()));
        if (filter != null) {
            cmd.add(filter);
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CountDownLatch listening = new CountDownLatch(1);
        StringBuilder said = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (said) {
                        said.append(line).append('\n');
                    }
                    if (line.contains("listening on")) {
                        listening.countDown();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "tcpdump-" + ifname);
        reader.setDaemon(true);
        reader.start();
        Tcpdump t = new Tcpdump(p, file);
        if (!listening.await(20, TimeUnit.SECONDS)) {
            t.close();
            synchronized (said) {
                throw new IllegalStateException("tcpdump on " + ifname + " did not start: " + said);
            }
        }
        return t;
    }

    /** The frames in the file so far, each as it was captured. */
    public List<byte[]> frames() throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.remaining() < 24) {
            return out;
        }
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        b.position(24);
        while (b.remaining() >= 16) {
            b.getInt();
            b.getInt();
            int included = b.getInt();
            b.getInt();
            if (included < 0 || b.remaining() < included) {
                break; // a record tcpdump is still writing
            }
            byte[] f = new byte[included];
            b.get(f);
            out.add(f);
        }
        return out;
    }

    /** The tokens of the test frames in the file so far, in the order they were captured. */
    public List<Long> tokens() throws IOException {
        List<Long> out = new ArrayList<>();
        for (byte[] f : frames()) {
            long t = Frames.tokenOf(f);
            if (t != 0) {
                out.add(t);
            }
        }
        return out;
    }

    /** Waits until the file holds at least {@code n} test frames. */
    public void awaitTokens(int n, Duration timeout) {
        Await.until(timeout, () -> {
            try {
                return "tcpdump saw " + tokens().size() + " test frames, not " + n;
            } catch (IOException e) {
                return e.toString();
            }
        }, () -> {
            try {
                return tokens().size() >= n;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

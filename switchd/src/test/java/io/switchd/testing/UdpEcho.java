package io.switchd.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A ping made of UDP datagrams between two namespaces: a client sends a numbered request at a
 * fixed interval, a server echoes each one back, and the client records when every reply came
 * (System.nanoTime), so a test can tell when replies stopped and when they resumed, or, once it
 * stops sending, whether every request was answered.
 */
public final class UdpEcho implements AutoCloseable {
    private static final int PORT = 7007;
    private static final int MAX_REPLIES = 1 << 16;

    private final DatagramChannel server;
    private final DatagramChannel client;
    private final InetSocketAddress target;
    private final long intervalNanos;
    private final long[] replyTimes = new long[MAX_REPLIES];
    private final Thread echoer;
    private final Thread sender;
    private final Thread receiver;
    private int replies;
    private volatile long sent;
    private volatile boolean running = true;
    private volatile boolean sending = true;

    private UdpEcho(Netns clientNs, Netns serverNs, String serverAddress, Duration interval) {
        target = new InetSocketAddress(serverAddress, PORT);
        intervalNanos = interval.toNanos();
        server = serverNs.inside(() -> buffered(DatagramChannel.open()).bind(target));
        client = clientNs.inside(() -> buffered(DatagramChannel.open()).bind(new InetSocketAddress(0)));
        echoer = thread("udp-echo-server", this::echo);
        sender = thread("udp-echo-sender", this::send);
        receiver = thread("udp-echo-receiver", this::receive);
    }

    /** Starts echoing: requests from {@code clientNs} to {@code serverAddress} in {@code serverNs}, one per interval. */
    public static UdpEcho start(Netns clientNs, Netns serverNs, String serverAddress, Duration interval) {
        return new UdpEcho(clientNs, serverNs, serverAddress, interval);
    }

    /** As large a receive buffer as the kernel gives, so a thread of a loaded test JVM may stall a while. */
    private static DatagramChannel buffered(DatagramChannel ch) throws IOException {
        return ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    }

    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void echo() {
        ByteBuffer b = ByteBuffer.allocate(64);
        while (running) {
            try {
                b.clear();
                InetSocketAddress from = (InetSocketAddress) server.receive(b);
                b.flip();
                server.send(b, from);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // the path is down (the switch is dead): the next request tries again
            }
        }
    }

    private void send() {
        ByteBuffer b = ByteBuffer.allocate(8);
        long seq = 0;
        long next = System.nanoTime();
        while (running && sending) {
            try {
                b.clear();
                b.putLong(seq++).flip();
                client.send(b, target);
                sent++;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // no route or no neighbour while the switch is down: keep sending
            }
            next += intervalNanos;
            LockSupport.parkNanos(next - System.nanoTime()); // pacing the stream, not waiting for a result
        }
    }

    private void receive() {
        ByteBuffer b = ByteBuffer.allocate(64);
        while (running) {
            try {
                b.clear();
                client.receive(b);
                long now = System.nanoTime();
                synchronized (this) {
                    if (replies < MAX_REPLIES) {
                        replyTimes[replies++] = now;
                    }
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // an ICMP error queued on the socket: not a reply
            }
        }
    }

    /**
     * Stops sending, then waits until every request sent has been answered: a request or reply
     * lost on the way fails the test. The wait only bounds how long a failing test takes.
     */
    public void stopAndAwaitEveryReply(Duration timeout, String what) throws InterruptedException {
        sending = false;
        sender.join();
        Await.equals(sent, timeout, "echo replies to the " + sent + " requests sent " + what, this::replies);
    }

    /** How many replies have come back. */
    public synchronized int replies() {
        return replies;
    }

    /** When the first reply after {@code nanoTime} came (System.nanoTime), or -1 if none has yet. */
    public synchronized long firstReplyAfter(long nanoTime) {
        for (int i = 0; i < replies; i++) {
            if (replyTimes[i] > nanoTime) {
                return replyTimes[i];
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        running = false;
        client.close();
        server.close();
        for (Thread t : new Thread[] {echoer, sender, receiver}) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.switchd.testing;

import io.switchd.frame.MacAddress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A kernel bridge running STP ("kbr", in a namespace of its own) with two veth links whose other
 * ends ({@link #link1}, {@link #link2}) wait in the test's namespace for switchd to take them as
 * ports, a host behind the kernel bridge ({@link #behindKernel}, {@link #HOST_A}) and a host behind
 * switchd ({@link #behindSwitchd}, {@link #HOST_B}, whose link is {@link #toHost}). All on the
 * issue's shortened timers; everything made here goes on {@link #close}, also after a failure.
 */
public final class KernelStpPeer implements AutoCloseable {
    /** The shortened 802.1D timers (seconds): hello and max age are the kernel's minimums, and 2 × (4 - 1) >= 6 as 802.1D asks. */
    public static final int HELLO_TIME = 1;
    public static final int FORWARD_DELAY = 4;
    public static final int MAX_AGE = 6;
    /** 802.1D takes max age to expire stale information and 2 × forward delay to forward; twice that for a loaded machine. */
    public static final Duration CONVERGED = Duration.ofSeconds(2L * (2 * FORWARD_DELAY + MAX_AGE));
    public static final Duration WAIT = Duration.ofSeconds(30);
    /** The kernel's port states in /sys/class/net/kbr/brif/PORT/state. */
    public static final String FORWARDING = "3";
    public static final String BLOCKING = "4";
    public static final long HOST_A = 0x0200_0000_0A01L;
    public static final long HOST_B = 0x0200_0000_0A02L;

    public final String link1;
    public final String link2;
    public final String toHost;
    public final Netns kernel;
    public final Netns behindKernel;
    public final Netns behindSwitchd;
    private final List<Netns> namespaces = new ArrayList<>();

    private KernelStpPeer(String prefix) {
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        link1 = prefix + id + "a";
        link2 = prefix + id + "b";
        toHost = prefix + id + "h";
        kernel = made(Netns.create("switchd-test-" + id + "-kb"));
        behindKernel = made(Netns.create("switchd-test-" + id + "-ha"));
        behindSwitchd = made(Netns.create("switchd-test-" + id + "-hb"));
    }

    /**
     * Builds it all, the kernel bridge with {@code bridgeOptions} besides STP and the timers (such
     * as "priority", "4096"); the links on switchd's side are left up.
     */
    public static KernelStpPeer create(String prefix, String... bridgeOptions) {
        KernelStpPeer p = new KernelStpPeer(prefix);
        try {
            p.build(bridgeOptions);
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    private Netns made(Netns ns) {
        namespaces.add(ns);
        return ns;
    }

    private void build(String... bridgeOptions) {
        List<String> add = new ArrayList<>(List.of("ip", "link", "add", "name", "kbr", "type", "bridge", "stp_state", "1",
                "hello_time", centiseconds(HELLO_TIME), "forward_delay", centiseconds(FORWARD_DELAY),
                "max_age", centiseconds(MAX_AGE)));
        add.addAll(List.of(bridgeOptions));
        kernel.exec(add.toArray(new String[0]));
        Netns.run("ip", "link", "add", link1, "type", "veth", "peer", "name", "l1", "netns", kernel.name());
        Netns.run("ip", "link", "add", link2, "type", "veth", "peer", "name", "l2", "netns", kernel.name());
        Netns.run("ip", "link", "add", toHost, "type", "veth", "peer", "name", "eth0", "netns", behindSwitchd.name());
        kernel.exec("ip", "link", "add", "lh", "type", "veth", "peer", "name", "eth0", "netns", behindKernel.name());
        for (String port : new String[] {"l1", "l2", "lh"}) {
            kernel.exec("ip", "link", "set", port, "master", "kbr", "up");
        }
        kernel.exec("ip", "link", "set", "kbr", "up");
        host(behindKernel, HOST_A);
        host(behindSwitchd, HOST_B);
        for (String link : new String[] {link1, link2, toHost}) {
            Netns.run("ip", "link", "set", link, "up");
        }
    }

    /** The STP states of the kernel bridge's ports l1 and l2, as "3 4". */
    public String states() {
        return kernel.exec("cat", "/sys/class/net/kbr/brif/l1/state", "/sys/class/net/kbr/brif/l2/state")
                .trim().replaceAll("\\s+", " ");
    }

    /** A file of the kernel bridge's, such as "root_id" or "bridge_id", trimmed. */
    public String bridgeFile(String name) {
        return kernel.exec("cat", "/sys/class/net/kbr/bridge/" + name).trim();
    }

    /** Packets the kernel sent on one of its interfaces. */
    public long txPackets(String ifname) {
        return Long.parseLong(kernel.exec("cat", "/sys/class/net/" + ifname + "/statistics/tx_packets").trim());
    }

    /**
     * Sends one broadcast from host A ({@code a}, its socket) and returns how many copies of it
     * host B ({@code b}) received by the time a second one, sent after it, arrived.
     */
    public static int copiesOfOneBroadcast(RawSocket a, RawSocket b) {
        long t = Frames.token();
        a.send(Frames.frame(Frames.BROADCAST, HOST_A, t));
        int[] copies = new int[1];
        readUntil(b, t, t, copies);
        long barrier = Frames.token();
        a.send(Frames.frame(Frames.BROADCAST, HOST_A, barrier));
        readUntil(b, barrier, t, copies);
        return copies[0];
    }

    /** Sends a broadcast from host A ({@code a}, its socket); whether host B ({@code b}) got it within 20 ms. */
    public static boolean broadcastCrosses(RawSocket a, RawSocket b) {
        long token = Frames.token();
        a.send(Frames.frame(Frames.BROADCAST, HOST_A, token));
        long deadline = System.nanoTime() + 20_000_000L;
        while (System.nanoTime() < deadline) {
            byte[] f = b.take();
            if (f != null && Frames.tokenOf(f) == token) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes {@code link} down and returns how long until a broadcast from host A ({@code a}) crossed
     * to host B ({@code b}) again, over {@code other}.
     */
    public static Duration failover(RawSocket a, RawSocket b, String link, String other) {
        long cut = System.nanoTime();
        Netns.run("ip", "link", "set", link, "down");
        Await.until(WAIT, "a broadcast crossing on " + other + " after " + link + " went down", () -> broadcastCrosses(a, b));
        return Duration.ofNanos(System.nanoTime() - cut);
    }

    /** Reads test frames from {@code socket} until one carries {@code until}, counting in {@code copies} those carrying {@code counted}. */
    private static void readUntil(RawSocket socket, long until, long counted, int[] copies) {
        Await.until(WAIT, "a frame carrying " + Long.toHexString(until) + " at the host behind switchd", () -> {
            byte[] f = socket.take();
            long t = f == null ? 0 : Frames.tokenOf(f);
            if (t == counted) {
                copies[0]++;
            }
            return t == until;
        });
    }

    private static String centiseconds(int seconds) {
        return Integer.toString(seconds * 100);
    }

    /**
     * Two switches joined by two links with a host on each, the switches' ends in our namespace:
     * veths {@code a1}-{@code b1} and {@code a2}-{@code b2}, and {@code hostA}, {@code hostB} whose
     * other ends are eth0 of new namespaces (added to {@code namespaces}, for the caller to close,
     * with {@code HOST_A} and {@code HOST_B} as their addresses); every end up. Returns the two
     * host namespaces.
     */
    public static Netns[] twoLinksAndTwoHosts(String prefix, List<Netns> namespaces, String a1, String b1, String a2,
                                              String b2, String hostA, String hostB) {
        Netns nsA = Netns.create(prefix + "a");
        namespaces.add(nsA);
        Netns nsB = Netns.create(prefix + "b");
        namespaces.add(nsB);
        Netns.run("ip", "link", "add", a1, "type", "veth", "peer", "name", b1);
        Netns.run("ip", "link", "add", a2, "type", "veth", "peer", "name", b2);
        Netns.run("ip", "link", "add", hostA, "type", "veth", "peer", "name", "eth0", "netns", nsA.name());
        Netns.run("ip", "link", "add", hostB, "type", "veth", "peer", "name", "eth0", "netns", nsB.name());
        for (String link : new String[] {a1, a2, b1, b2, hostA, hostB}) {
            Netns.run("ip", "link", "set", link, "up");
        }
        host(nsA, HOST_A);
        host(nsB, HOST_B);
        return new Netns[] {nsA, nsB};
    }

    /** Gives a host's eth0 in {@code ns} the address {@code mac} and brings it up. */
    public static void host(Netns ns, long mac) {
        ns.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(mac));
        ns.exec("ip", "link", "set", "dev", "eth0", "up");
    }

    @Override
    public void close() {
        for (Netns ns : namespaces) {
            ns.close();
        }
        for (String link : new String[] {link1, link2, toHost}) {
            Netns.status("ip", "link", "del", link);
        }
    }
}

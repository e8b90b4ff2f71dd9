package io.switchd.bridge;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static io.switchd.testing.Frames.BROADCAST;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A loop through switchd, cut by the kernel bridge at its other end: a kernel bridge with
 * {@code stp_state 1} in its own namespace is joined to one switchd bridge by two veth links.
 * switchd floods the kernel's BPDUs, so the kernel hears its own BPDUs come back on its other port
 * and blocks one of the two; a broadcast from a host behind the kernel bridge then reaches a host
 * behind switchd once, and nothing comes back over the blocked link.
 */
class KernelStpLoopTest {
    /** The shortened 802.1D timers (seconds): hello and max age are the kernel's minimums, and 2 × (4 - 1) >= 6 as 802.1D asks. */
    private static final int HELLO_TIME = 1;
    private static final int FORWARD_DELAY = 4;
    private static final int MAX_AGE = 6;
    /** The kernel needs 2 × forward delay to take its designated port to forwarding, and max age to expire stale information; twice that for a loaded machine. */
    private static final Duration CONVERGED = Duration.ofSeconds(2L * (2 * FORWARD_DELAY + MAX_AGE));
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String FORWARDING = "3";
    private static final String BLOCKING = "4";

    @Test
    void aKernelBridgeRunningStpBlocksOneOfTwoLinksToSwitchdAndABroadcastArrivesOnce() throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String link1 = "sw" + id + "a";
        String link2 = "sw" + id + "b";
        String toHost = "sw" + id + "h";
        List<Netns> namespaces = new ArrayList<>();
        Switchd s = null;
        try {
            Netns kernel = Netns.create("switchd-test-" + id + "-kb");
            namespaces.add(kernel);
            Netns behindKernel = Netns.create("switchd-test-" + id + "-ha");
            namespaces.add(behindKernel);
            Netns behindSwitchd = Netns.create("switchd-test-" + id + "-hb");
            namespaces.add(behindSwitchd);

            kernel.exec("ip", "link", "add", "name", "kbr", "type", "bridge", "stp_state", "1",
                    "hello_time", centiseconds(HELLO_TIME), "forward_delay", centiseconds(FORWARD_DELAY),
                    "max_age", centiseconds(MAX_AGE));
            Netns.run("ip", "link", "add", link1, "type", "veth", "peer", "name", "l1", "netns", kernel.name());
            Netns.run("ip", "link", "add", link2, "type", "veth", "peer", "name", "l2", "netns", kernel.name());
            Netns.run("ip", "link", "add", toHost, "type", "veth", "peer", "name", "eth0", "netns", behindSwitchd.name());
            kernel.exec("ip", "link", "add", "lh", "type", "veth", "peer", "name", "eth0", "netns", behindKernel.name());
            for (String port : new String[] {"l1", "l2", "lh"}) {
                kernel.exec("ip", "link", "set", port, "master", "kbr", "up");
            }
            kernel.exec("ip", "link", "set", "kbr", "up");
            long hostA = 0x0200_0000_0A01L;
            long hostB = 0x0200_0000_0A02L;
            up(behindKernel, hostA);
            up(behindSwitchd, hostB);
            s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, bridges.br0.ports { " + link1
                    + " { type = netdev }, " + link2 + " { type = netdev }, " + toHost + " { type = netdev } } }",
                    "KernelStpLoopTest"));

            try {
                Await.until(CONVERGED, "the kernel bridge forwarding on one link to switchd and blocking the other",
                        () -> states(kernel).equals(FORWARDING + " " + BLOCKING) || states(kernel).equals(BLOCKING + " " + FORWARDING));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; states of l1 and l2 now: " + states(kernel)
                        + " (0 disabled, 1 listening, 2 learning, 3 forwarding, 4 blocking)", e);
            }
            boolean firstBlocked = states(kernel).startsWith(BLOCKING);
            String blocked = firstBlocked ? "l1" : "l2";
            String blockedPort = firstBlocked ? link1 : link2;

            try (RawSocket a = RawSocket.open(behindKernel, "eth0"); RawSocket b = RawSocket.open(behindSwitchd, "eth0")) {
                Switchd daemon = s;
                // what the kernel sent on the port before blocking it has reached switchd
                Await.until(WAIT, "switchd has read all the kernel sent on " + blocked,
                        () -> rxFrames(daemon, blockedPort) == txPackets(kernel, blocked));
                long comeBack = rxFrames(s, blockedPort);
                long sentOnBlocked = txPackets(kernel, blocked);

                long t = Frames.token();
                a.send(Frames.frame(BROADCAST, hostA, t));
                int[] copies = new int[1];
                readUntil(b, t, t, copies);
                long barrier = Frames.token();
                a.send(Frames.frame(BROADCAST, hostA, barrier));
                readUntil(b, barrier, t, copies);

                assertEquals(1, copies[0], "copies of one broadcast at the host behind switchd");
                assertEquals(sentOnBlocked, txPackets(kernel, blocked), "frames the kernel sent on its blocked port");
                assertEquals(comeBack, rxFrames(s, blockedPort), "frames switchd received over the blocked link");
            }
        } finally {
            if (s != null) {
                s.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String link : new String[] {link1, link2, toHost}) {
                Netns.status("ip", "link", "del", link);
            }
        }
    }

    private static String centiseconds(int seconds) {
        return Integer.toString(seconds * 100);
    }

    private static void up(Netns ns, long mac) {
        ns.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(mac));
        ns.exec("ip", "link", "set", "dev", "eth0", "up");
    }

    /** The STP states of the kernel bridge's ports l1 and l2, as "3 4". */
    private static String states(Netns kernel) {
        return kernel.exec("cat", "/sys/class/net/kbr/brif/l1/state", "/sys/class/net/kbr/brif/l2/state")
                .trim().replaceAll("\\s+", " ");
    }

    private static long txPackets(Netns kernel, String ifname) {
        return Long.parseLong(kernel.exec("cat", "/sys/class/net/" + ifname + "/statistics/tx_packets").trim());
    }

    private static long rxFrames(Switchd s, String port) {
        try {
            return s.stats("br0", port).get(0).rxFrames();
        } catch (io.switchd.control.ControlException e) {
            throw new IllegalStateException(e);
        }
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
}

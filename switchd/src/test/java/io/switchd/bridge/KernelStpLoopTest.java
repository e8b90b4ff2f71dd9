package io.switchd.bridge;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.testing.Await;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.Test;

import static io.switchd.testing.KernelStpPeer.BLOCKING;
import static io.switchd.testing.KernelStpPeer.FORWARDING;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A loop through switchd, cut by the kernel bridge at its other end: a kernel bridge with
 * {@code stp_state 1} in its own namespace is joined to one switchd bridge by two veth links.
 * switchd floods the kernel's BPDUs, so the kernel hears its own BPDUs come back on its other port
 * and blocks one of the two; a broadcast from a host behind the kernel bridge then reaches a host
 * behind switchd once, and nothing comes back over the blocked link.
 */
class KernelStpLoopTest {

    @Test
    void aKernelBridgeRunningStpBlocksOneOfTwoLinksToSwitchdAndABroadcastArrivesOnce() throws Exception {
        Netns.assumeAvailable();
        Switchd s = null;
        try (KernelStpPeer peer = KernelStpPeer.create("sw")) {
            try {
                s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, bridges.br0.ports { " + peer.link1
                        + " { type = netdev }, " + peer.link2 + " { type = netdev }, " + peer.toHost
                        + " { type = netdev } } }", "KernelStpLoopTest"));

                try {
                    Await.until(KernelStpPeer.CONVERGED, "the kernel bridge forwarding on one link to switchd and blocking the other",
                            () -> peer.states().equals(FORWARDING + " " + BLOCKING) || peer.states().equals(BLOCKING + " " + FORWARDING));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; states of l1 and l2 now: " + peer.states()
                            + " (0 disabled, 1 listening, 2 learning, 3 forwarding, 4 blocking)", e);
                }
                boolean firstBlocked = peer.states().startsWith(BLOCKING);
                String blocked = firstBlocked ? "l1" : "l2";
                String blockedPort = firstBlocked ? peer.link1 : peer.link2;

                try (RawSocket a = RawSocket.open(peer.behindKernel, "eth0");
                     RawSocket b = RawSocket.open(peer.behindSwitchd, "eth0")) {
                    Switchd daemon = s;
                    // what the kernel sent on the port before blocking it has reached switchd
                    Await.until(KernelStpPeer.WAIT, "switchd has read all the kernel sent on " + blocked,
                            () -> rxFrames(daemon, blockedPort) == peer.txPackets(blocked));
                    long comeBack = rxFrames(s, blockedPort);
                    long sentOnBlocked = peer.txPackets(blocked);

                    assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, b), "copies of one broadcast at the host behind switchd");
                    assertEquals(sentOnBlocked, peer.txPackets(blocked), "frames the kernel sent on its blocked port");
                    assertEquals(comeBack, rxFrames(s, blockedPort), "frames switchd received over the blocked link");
                }
            } finally {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private static long rxFrames(Switchd s, String port) {
        try {
            return s.stats("br0", port).get(0).rxFrames();
        } catch (io.switchd.control.ControlException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.switchd.bridge;

import io.switchd.port.PortState;
import io.switchd.testing.Await;
import io.switchd.testing.Fabric;
import io.switchd.testing.NamespaceFabric;
import io.switchd.testing.NamespaceTcp;
import io.switchd.testing.Netns;
import io.switchd.testing.UdpEcho;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;

import static io.switchd.testing.Frames.BROADCAST;
import static io.switchd.testing.Frames.frame;
import static io.switchd.testing.Frames.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The forwarding behaviour over real TAP ports (h1, h2, h4, moved into namespaces) and veths
 * attached as netdev ports (h3, h5), plus what only the kernel can show: ping, TCP with the
 * namespaces' checksum and segmentation offloads left on, and an interface deleted under traffic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamespaceBridgeTest extends PortPolicyBehaviourTest {
    private static final int TRANSFER_BYTES = 8 << 20;

    @Override
    protected Fabric createFabric() throws Exception {
        Netns.assumeAvailable();
        return new NamespaceFabric();
    }

    private NamespaceFabric ns() {
        return (NamespaceFabric) fabric;
    }

    @Test
    void pingWorksBetweenEveryPairOfPortKinds() {
        int[][] pairs = {{1, 2}, {1, 3}, {2, 3}, {3, 1}};
        for (int[] p : pairs) {
            ping(p[0], p[1], WAIT);
        }
    }

    @Test
    void tcpArrivesIntactBetweenEveryPairOfPortKinds() throws Exception {
        transfer(1, 2); // tap to tap
        transfer(1, 3); // tap to netdev
        transfer(3, 2); // netdev to tap
    }

    @Test
    void aVlanSubInterfaceBehindATrunkReachesItsAccessPort() {
        // Needs the kernel's 802.1Q module, which some machines (this project's CI among them) lack.
        Netns ns3 = ns().ns(3);
        assumeTrue(ns3.execStatus("ip", "link", "add", "link", "eth0", "name", "eth0.10", "type", "vlan", "id", "10") == 0,
                "no 802.1Q module: ip link add ... type vlan fails here");
        try {
            fabric.port(h(1)).policy(io.switchd.port.PortPolicy.builder().access(10).build());
            fabric.port(h(3)).policy(io.switchd.port.PortPolicy.builder().trunk(java.util.List.of(10), -1).build());
            ns3.exec("ip", "addr", "add", "10.79.0.3/24", "dev", "eth0.10");
            ns3.exec("ip", "link", "set", "eth0.10", "up");
            ns().ns(1).exec("ip", "addr", "add", "10.79.0.1/24", "dev", ns().portName(1));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ns().ns(1).execStatus("ping", "-c", "1", "-W", "1", "10.79.0.3") != 0) {
                assertTrue(System.nanoTime() < deadline, "h1 (access 10) cannot ping h3's eth0.10 behind the trunk");
            }
        } finally {
            ns3.execStatus("ip", "link", "del", "eth0.10");
            ns().ns(1).execStatus("ip", "addr", "del", "10.79.0.1/24", "dev", ns().portName(1));
        }
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    void aNetdevPortRidesOutALinkFlapAndGoesAbsentWhenItsInterfaceIsDeleted() {
        Bridge br1 = fabric.bridge("br1");
        String v5 = ns().portName(5);
        ping(4, 5, WAIT);
        Netns.run("ip", "link", "set", v5, "down");
        Netns.run("ip", "link", "set", v5, "up");
        ping(4, 5, WAIT);
        ping(5, 4, WAIT);
        assertEquals(PortState.UP, br1.port(v5).state(), "a link flap is not a deletion");
        ns().ns(5).exec("ip", "link", "del", "eth0");
        Await.until(WAIT, "the deleted veth's port goes absent",
                () -> br1.port(v5).state() == PortState.ABSENT);
        long t = token();
        h(4).send(frame(BROADCAST, h(4).mac(), t));
        Await.until(WAIT, "h4's frames still read by br1", () ->
                br1.port(ns().portName(4)).counters().get(io.switchd.port.PortCounters.RX_FRAMES) > 0);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void deletingATapInterfaceUnderTrafficLeavesTheOtherPortsWorking() throws Exception {
        ping(1, 3, WAIT);
        Bridge br0 = fabric.bridge("br0");
        String tap2 = ns().portName(2);
        try (UdpEcho flood = UdpEcho.start(ns().ns(1), ns().ns(3), ns().address(3), Duration.ofMillis(10))) {
            long tx = br0.port(ns().portName(3)).counters().get(io.switchd.port.PortCounters.TX_FRAMES);
            Await.until(WAIT, "traffic from h1 to h3 under way",
                    () -> br0.port(ns().portName(3)).counters().get(io.switchd.port.PortCounters.TX_FRAMES) > tx + 20);
            io.switchd.port.Port deleted = br0.port(tap2);
            ns().ns(2).exec("ip", "link", "del", tap2);
            // a TAP switchd made is made again at once: its port is another one, waiting in our namespace
            Await.until(WAIT, "h2's port leaves forwarding", () -> deleted.state() == PortState.ABSENT);
            Await.until(WAIT, "h2's TAP made again", () -> br0.port(tap2) != deleted);
            flood.stopAndAwaitEveryReply(WAIT, "from h1 to h3 while h2's tap was deleted");
        }
        long t = token();
        h(1).send(frame(BROADCAST, h(1).mac(), t));
        assertTrue(h(3).await(t, WAIT), "h1 still reaches h3 after h2's tap is gone");
        ping(3, 1, WAIT);
    }

    private void ping(int from, int to, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (ns().ns(from).execStatus("ping", "-c", "1", "-W", "1", ns().address(to)) != 0) {
            assertTrue(System.nanoTime() < deadline, "h" + from + " cannot ping h" + to);
        }
    }

    /** Sends 8 MB of random bytes from host {@code from} to {@code to} over TCP and compares digests. */
    private void transfer(int from, int to) throws Exception {
        ping(from, to, WAIT);
        NamespaceTcp.transfer(ns().ns(from), ns().ns(to), ns().address(to), TRANSFER_BYTES);
    }
}

package io.switchd;

import io.switchd.bridge.Bridge;
import io.switchd.config.ConfigLoader;
import io.switchd.fdb.MacTable;
import io.switchd.port.DropReason;
import io.switchd.port.Port;
import io.switchd.port.PortCounters;
import io.switchd.port.PortState;
import io.switchd.testing.Await;
import io.switchd.testing.LogRecords;
import io.switchd.testing.Netns;
import io.switchd.testing.UdpEcho;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ports follow their interfaces through rtnetlink, in real namespaces: down and up, carrier lost,
 * deleted and back, absent from the start, renamed, a new MTU, a TAP moved to another namespace
 * or deleted and made again, while the other ports forward on; a TAP that switchd made, destroyed
 * with its namespace, made again. How soon switchd follows is not asserted: on a loaded machine any
 * thread, the test's own among them, can wait its turn.
 *
 * <p>Hosts a, b, c sit behind veths (netdev ports A, B, C; C's veth does not exist when switchd
 * starts); host d behind a persistent TAP port T; TAP port N, which switchd makes, is given to
 * namespaces the tests make and delete.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkFollowingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ID = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private static final String NET = "10.251." + ThreadLocalRandom.current().nextInt(1, 255) + ".";
    private static final List<Netns> namespaces = new ArrayList<>();
    private static Switchd switchd;
    private static String portA = "lf" + ID + "a";
    private static String portB = "lf" + ID + "b";
    private static final String PORT_C = "lf" + ID + "c";
    private static final String TAP = "lf" + ID + "t";
    private static final String MADE_TAP = "lf" + ID + "n";

    @BeforeAll
    static void start() throws Exception {
        Netns.assumeAvailable();
        try {
            for (String h : new String[] {"a", "b", "c", "d"}) {
                namespaces.add(Netns.create("switchd-lf-" + ID + "-" + h));
            }
            veth(portA, 0, 1);
            veth(portB, 1, 2);
            switchd = Switchd.start(ConfigLoader.parse("switchd { threads = 2, bridges.br0.ports { "
                    + portA + " { type = netdev }, " + portB + " { type = netdev }, " + PORT_C + " { type = netdev }, "
                    + TAP + " { type = tap, persistent = true }, " + MADE_TAP + " { type = tap } } }",
                    "LinkFollowingTest"));
            hostOnTap(TAP);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private static void veth(String port, int host, int n) {
        Netns ns = namespaces.get(host);
        Netns.run("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        ns.exec("ip", "addr", "add", NET + n + "/24", "dev", "eth0");
        ns.exec("ip", "link", "set", "eth0", "up");
    }

    private static void hostOnTap(String tap) {
        hostOnTap(tap, namespaces.get(3), 4);
    }

    /** Moves {@code tap} into {@code ns} as host number {@code n}'s interface. */
    private static void hostOnTap(String tap, Netns ns, int n) {
        Netns.run("ip", "link", "set", tap, "netns", ns.name());
        ns.exec("ip", "addr", "add", NET + n + "/24", "dev", tap);
        ns.exec("ip", "link", "set", tap, "up");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (switchd != null) {
                switchd.close();
            }
        } finally {
            // whatever closing the switch did, the namespaces and links this test made go
            for (Netns ns : namespaces) {
                ns.close(); // takes the veths' and the TAP's far ends, and so the near ones, with it
            }
            for (String link : new String[] {portA, portB, PORT_C, TAP, MADE_TAP}) {
                if (io.switchd.sys.Interfaces.exists(link)) {
                    Netns.status("ip", "link", "del", link);
                }
            }
        }
    }

    @Test
    @Order(1)
    void aNetdevPortSetDownStopsForwardingForgetsItsStationsAndComesBackWhenUp() {
        ping(0, 2);
        Bridge br0 = switchd.bridge("br0");
        Port a = br0.port(portA);
        assertTrue(learnedOn(br0, a) > 0, "a's address was learned on A");
        Netns.run("ip", "link", "set", portA, "down");
        followed(portA, PortState.DOWN);
        assertEquals(0, learnedOn(br0, a), "a port that went down forgets its stations");
        long tx = a.counters().get(PortCounters.TX_FRAMES);
        long errors = a.counters().get(PortCounters.drop(DropReason.EGRESS_ERROR));
        long rx = br0.port(portB).counters().get(PortCounters.RX_FRAMES);
        namespaces.get(1).execStatus("ping", "-c", "3", "-i", "0.2", "-W", "1", "-b", NET + "255");
        // once the switch has read them, it has also decided where they go
        Await.until(WAIT, "b's broadcasts read by the switch",
                () -> br0.port(portB).counters().get(PortCounters.RX_FRAMES) >= rx + 3);
        assertEquals(tx, a.counters().get(PortCounters.TX_FRAMES), "nothing is flooded to a port that is down");
        assertEquals(errors, a.counters().get(PortCounters.drop(DropReason.EGRESS_ERROR)), "not even tried");

        Netns.run("ip", "link", "set", portA, "up");
        followed(portA, PortState.UP);
        ping(0, 2);
    }

    @Test
    @Order(2)
    void losingTheCarrierIsFollowedLikeGoingDown() {
        Netns a = namespaces.get(0);
        a.exec("ip", "link", "set", "eth0", "down"); // the far end: our end loses its carrier
        followed(portA, PortState.DOWN);
        a.exec("ip", "link", "set", "eth0", "up");
        followed(portA, PortState.UP);
        ping(0, 2);
    }

    @Test
    @Order(3)
    void aNetdevPortConfiguredBeforeItsInterfaceExistsAttachesWhenItAppears() {
        Bridge br0 = switchd.bridge("br0");
        assertEquals(PortState.ABSENT, br0.port(PORT_C).state(), "no interface yet");
        veth(PORT_C, 2, 3);
        followed(PORT_C, PortState.UP);
        ping(0, 3);
    }

    @Test
    @Order(4)
    void aDeletedInterfaceLeavesItsPortAbsentUntilItIsBackAndItsCountersCarryOn() {
        Bridge br0 = switchd.bridge("br0");
        ping(2, 1);
        long rx = br0.port(PORT_C).counters().get(PortCounters.RX_FRAMES);
        try (LogRecords log = LogRecords.capture()) {
            namespaces.get(2).exec("ip", "link", "del", "eth0"); // a container going away takes both ends
            followed(PORT_C, PortState.ABSENT);
            Await.until(WAIT, "the deletion logged", () -> !log.at(Level.INFO, "netdev port " + PORT_C
                    + ": its interface is gone").isEmpty());
            assertEquals(List.of(), log.at(Level.WARNING, PORT_C), "an interface deleted is an expected event: info");
        }
        veth(PORT_C, 2, 3); // and coming back under the same name
        followed(PORT_C, PortState.UP);
        ping(2, 1);
        assertTrue(br0.port(PORT_C).counters().get(PortCounters.RX_FRAMES) > rx,
                "the port's counters carry on across the re-attach");
    }

    @Test
    @Order(5)
    void anMtuChangeAndARenameAreFollowed() {
        Bridge br0 = switchd.bridge("br0");
        Netns.run("ip", "link", "set", portB, "mtu", "1400");
        Await.equals(1400, WAIT, "B's MTU", () -> br0.port(portB).mtu());

        String renamed = "lf" + ID + "r";
        Port b = br0.port(portB);
        Netns.run("ip", "link", "set", portB, "down");
        Netns.run("ip", "link", "set", portB, "name", renamed);
        Netns.run("ip", "link", "set", renamed, "up");
        followed(renamed, PortState.UP);
        assertEquals(renamed, b.name(), "the port follows its interface's new name");
        assertNull(br0.port(portB));
        portB = renamed;
        ping(1, 1);
        Netns.run("ip", "link", "set", portB, "mtu", "1500");
    }

    @Test
    @Order(6)
    void aTapMovedToAnotherNamespaceStaysUp() {
        Bridge br0 = switchd.bridge("br0");
        // moved by start(): our namespace saw it deleted, its descriptor knows better
        assertEquals(PortState.UP, br0.port(TAP).state());
        ping(3, 1);
        assertEquals(PortState.UP, br0.port(TAP).state());
    }

    @Test
    @Order(7)
    void aPersistentTapDeletedUnderTrafficComesBackWhenMadeAgainAndTheOtherPortsNeverStop() throws Exception {
        Bridge br0 = switchd.bridge("br0");
        ping(0, 1);
        ping(0, 2); // a and b know each other's addresses before the stream starts
        try (UdpEcho flood = UdpEcho.start(namespaces.get(0), namespaces.get(1), NET + "2", Duration.ofMillis(10))) {
            long tx = br0.port(portB).counters().get(PortCounters.TX_FRAMES);
            Await.until(WAIT, "traffic from a to b under way",
                    () -> br0.port(portB).counters().get(PortCounters.TX_FRAMES) > tx + 20);
            namespaces.get(3).exec("ip", "link", "del", TAP);
            Await.until(WAIT, "the deleted TAP's port goes absent", () -> br0.port(TAP).state() == PortState.ABSENT);
            Netns.run("ip", "tuntap", "add", "dev", TAP, "mode", "tap");
            followed(TAP, PortState.UP);
            hostOnTap(TAP);
            ping(3, 1);
            flood.stopAndAwaitEveryReply(WAIT, "from a to b while T went and came back");
        }
    }

    @Test
    @Order(8)
    void aTapSwitchdMadeStaysUpWhenMovedAndIsMadeAgainWhenItsNamespaceIsDeleted() {
        Bridge br0 = switchd.bridge("br0");
        Port moved = br0.port(MADE_TAP);
        Netns first = namespace("n1");
        try (LogRecords log = LogRecords.capture()) {
            hostOnTap(MADE_TAP, first, 5);
            ping(first, 1);
            // our namespace saw the TAP go (RTM_DELLINK): that alone must not make it again
            assertSame(moved, br0.port(MADE_TAP), "a TAP moved into a namespace keeps its port");
            assertEquals(PortState.UP, moved.state());
            assertFalse(io.switchd.sys.Interfaces.exists(MADE_TAP), "not made again here while it is there");
            long rx = moved.counters().get(PortCounters.RX_FRAMES);
            assertTrue(rx > 0, "N received the pings");

            first.close(); // the README's clean-up: the TAP is destroyed with the namespace
            Await.until(WAIT, MADE_TAP + " made again and up", () -> br0.port(MADE_TAP) != moved
                    && br0.port(MADE_TAP).state() == PortState.UP);
            assertTrue(io.switchd.sys.Interfaces.exists(MADE_TAP), "made again in switchd's namespace");
            assertTrue(br0.port(MADE_TAP).counters().get(PortCounters.RX_FRAMES) >= rx,
                    "the port's counters carry on across the re-creation");
            assertEquals(List.of("bridge br0: tap port " + MADE_TAP + ": its interface was destroyed (deleted, or "
                    + "with its namespace); making it again"), log.at(Level.INFO, "destroyed"));
            assertEquals(List.of(), log.at(Level.WARNING, MADE_TAP), "an expected event: info, in switchd's words");

            Netns second = namespace("n2");
            hostOnTap(MADE_TAP, second, 5);
            ping(second, 1);
            assertEquals(PortState.UP, br0.port(MADE_TAP).state());
        }
    }

    @Test
    @Order(9)
    void aTapSwitchdMadeWhoseNameIsTakenWaitsAbsentSaysSoOnceAndIsMadeWhenTheNameIsFree() {
        Bridge br0 = switchd.bridge("br0");
        Netns ns = namespaces.get(namespaces.size() - 1); // where the previous test left N
        Port lost = br0.port(MADE_TAP);
        try (LogRecords log = LogRecords.capture()) {
            // while N is away, another interface takes its name here
            Netns.run("ip", "link", "add", MADE_TAP, "type", "veth", "peer", "name", "lf" + ID + "v");
            ns.close();
            Await.until(WAIT, "the name taken logged", () -> !log.at(Level.WARNING, MADE_TAP).isEmpty());
            assertEquals(PortState.ABSENT, br0.port(MADE_TAP).state(), "absent while the name is taken");
            // each link event of the other interface is one more try that fails, in the order they came
            Netns.run("ip", "link", "set", MADE_TAP, "up");
            Netns.run("ip", "link", "set", MADE_TAP, "down");
            Netns.run("ip", "link", "del", MADE_TAP);
            Await.until(WAIT, MADE_TAP + " made again once its name is free", () -> br0.port(MADE_TAP) != lost
                    && br0.port(MADE_TAP).state() == PortState.UP);
            List<String> warnings = log.at(Level.WARNING, MADE_TAP);
            assertEquals(1, warnings.size(), "said once: " + warnings);
            assertTrue(warnings.get(0).contains("cannot make its interface again: the name is taken by another "
                    + "interface"), warnings.get(0));
        }
        Netns third = namespace("n3");
        hostOnTap(MADE_TAP, third, 5);
        ping(third, 1);
    }

    /** A new namespace, removed after the tests if they did not remove it. */
    private static Netns namespace(String suffix) {
        Netns ns = Netns.create("switchd-lf-" + ID + "-" + suffix);
        namespaces.add(ns);
        return ns;
    }

    /** Host in {@code ns} pings host number {@code to} until a reply comes, within the wait. */
    private static void ping(Netns ns, int to) {
        Await.until(WAIT, ns.name() + " reaches " + NET + to, () -> ns.execStatus("ping", "-c", "1", "-W", "1", NET + to) == 0);
    }

    /**
     * Waits for the port named {@code name} to reach {@code state}, looking under the switch's lock
     * as the API does: switchd changes a port's state and what goes with it (forgetting its
     * stations, the forwarding set) together under that lock, and a look without it can come between.
     */
    private static void followed(String name, PortState state) {
        Bridge br0 = switchd.bridge("br0");
        Await.until(WAIT, name + " becoming " + state.displayName(), () -> {
            synchronized (switchd) {
                Port p = br0.port(name);
                return p != null && p.state() == state;
            }
        });
    }

    private static long learnedOn(Bridge b, Port p) {
        long n = 0;
        for (MacTable.Entry e : b.fdb().entries(io.switchd.dataplane.MonotonicClock.millis())) {
            if (e.port() == p.index() && !e.isStatic()) {
                n++;
            }
        }
        return n;
    }

    /** Host {@code from} (0 = a) pings host number {@code to} (1 = a) until a reply comes, within the wait. */
    private static void ping(int from, int to) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (namespaces.get(from).execStatus("ping", "-c", "1", "-W", "1", NET + to) != 0) {
            assertTrue(System.nanoTime() < deadline, "host " + from + " cannot ping " + NET + to);
        }
    }
}

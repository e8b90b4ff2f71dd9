package io.switchd.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU guest helper, proved on a TAP interface in a namespace (no switch between): the guest's
 * eth0 gets its MAC and address, pings go both ways, and 16 MB cross over TCP each way intact.
 */
class QemuGuestTest {
    private static final String MAC = "52:54:00:5a:00:21";
    private static final String HOST_IP = "10.99.14.1";
    private static final String GUEST_IP = "10.99.14.2";

    @Test
    void guestOnATapPingsAndMoves16MegabytesBothWays() throws Exception {
        Netns.assumeAvailable("needs root, /dev/net/tun, iproute2 and qemu-system-x86_64", "qemu-system-x86_64");
        String ns = "qg" + ProcessHandle.current().pid();
        try (Netns netns = Netns.create(ns)) {
            netns.exec("ip", "tuntap", "add", "dev", "tapg", "mode", "tap");
            netns.exec("ip", "addr", "add", HOST_IP + "/24", "dev", "tapg");
            netns.exec("ip", "link", "set", "tapg", "up");
            try (QemuGuest guest = QemuGuest.start(new QemuGuest.Tap(ns, "tapg"), MAC, GUEST_IP + "/24")) {
                System.out.println("guest " + guest.name() + " booted in " + guest.bootTime().toMillis() + " ms");
                assertEquals("qemu-system-x86",
                        Netns.run("cat", "/proc/" + guest.pid() + "/comm").strip(), "close() must end QEMU itself");
                Duration cmd = Duration.ofSeconds(30);
                assertEquals(MAC, guest.run("cat /sys/class/net/eth0/address", cmd));
                assertTrue(guest.run("ip -4 addr show dev eth0", cmd).contains("inet " + GUEST_IP + "/24"));
                assertEquals(1, guest.exec("false", cmd).status(), "a failing command reports its status");
                // Offloads stay on: QEMU's TAP backend offers checksum and TSO both ways.
                BitSet features = guest.virtioNetFeatures();
                for (int bit : new int[] {0, 1, 7, 11}) {
                    assertTrue(features.get(bit), "virtio-net feature bit " + bit + " negotiated: " + features);
                }

                netns.exec("ping", "-c", "3", "-i", "0.2", "-W", "10", GUEST_IP);
                assertTrue(guest.run("ping -c 3 -W 10 " + HOST_IP, cmd).contains("3 packets received"));

                GuestTcp.guestToHost(netns, guest, HOST_IP);
                GuestTcp.hostToGuest(netns, guest, GUEST_IP);
            }
        }
        assertNotEquals(0, Netns.status("ip", "netns", "exec", ns, "true"), "the namespace is gone");
    }
}

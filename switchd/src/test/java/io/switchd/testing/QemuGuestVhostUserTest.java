package io.switchd.testing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU guest helper on vhost-user, with DPDK's testpmd as the backend (a vhost-user port
 * forwarding to a TAP port in a namespace, io mode) standing in for switchd until it has one: proves
 * the QEMU command line (memfd memory, vectors=0 under TCG) in both socket directions.
 */
class QemuGuestVhostUserTest {
    private static final Path TESTPMD = Path.of("/usr/bin/dpdk-testpmd");
    private static final String HOST_IP = "10.99.15.1";
    private static final String GUEST_IP = "10.99.15.2";

    @ParameterizedTest(name = "qemuListens={0}")
    @ValueSource(booleans = {false, true})
    void guestOnVhostUserPingsAndMovesData(boolean qemuListens) throws Exception {
        Netns.assumeAvailable("needs root, /dev/net/tun, iproute2 and qemu-system-x86_64", "qemu-system-x86_64");
        if (!Netns.required()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(TESTPMD), "needs dpdk-testpmd");
        }
        String ns = "qv" + ProcessHandle.current().pid() + (qemuListens ? "s" : "c");
        String prefix = "switchd-" + ns;
        Path dir = Files.createTempDirectory(ns);
        Path socket = dir.resolve("vm.sock");
        Process testpmd = null;
        try (Netns netns = Netns.create(ns)) {
            // testpmd listens (QEMU connects with reconnect=1) or, with client=1, connects to QEMU
            // and retries until QEMU listens. Its standard input stays open: at EOF it stops.
            testpmd = new ProcessBuilder(List.of("ip", "netns", "exec", ns, TESTPMD.toString(), "--no-huge", "-m", "256",
                    "--no-pci", "--no-shconf", "--file-prefix=" + prefix, "--lcores", "0@(0,1),1@(0,1)",
                    "--vdev", "net_vhost0,iface=" + socket + (qemuListens ? ",client=1" : ""),
                    "--vdev", "net_tap0,iface=tapv", "--", "--forward-mode=io", "--total-num-mbufs=4096"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("testpmd.log").toFile()).start();
            Await.until(Duration.ofSeconds(60), "testpmd's TAP port in " + ns,
                    () -> netns.execStatus("ip", "link", "show", "tapv") == 0);
            netns.exec("ip", "addr", "add", HOST_IP + "/24", "dev", "tapv");
            netns.exec("ip", "link", "set", "tapv", "up");
            try (QemuGuest guest = QemuGuest.start(new QemuGuest.VhostUser(socket, qemuListens), "52:54:00:5a:00:22",
                    GUEST_IP + "/24")) {
                System.out.println("guest " + guest.name() + " (qemuListens=" + qemuListens + ") booted in "
                        + guest.bootTime().toMillis() + " ms, virtio-net features " + guest.virtioNetFeatures());
                Duration cmd = Duration.ofSeconds(30);
                netns.exec("ping", "-c", "3", "-i", "0.2", "-W", "10", GUEST_IP);
                assertTrue(guest.run("ping -c 3 -W 10 " + HOST_IP, cmd).contains("3 packets received"));
                GuestTcp.guestToHost(netns, guest, HOST_IP);
                GuestTcp.hostToGuest(netns, guest, GUEST_IP);
            }
        } finally {
            if (testpmd != null) {
                testpmd.destroyForcibly();
                testpmd.waitFor(10, TimeUnit.SECONDS);
            }
            // DPDK leaves its runtime directory behind even with --no-shconf.
            Netns.status("rm", "-rf", "/var/run/dpdk/" + prefix, dir.toString());
        }
    }
}

package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.switchd.testing.KernelStpPeer.CONVERGED;
import static io.switchd.testing.KernelStpPeer.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open vSwitch's RSTP, a peer no one here wrote, joined to switchd by two veth links: the two agree
 * on the root (Open vSwitch, by its lower priority), switchd blocks one link, a broadcast crosses
 * once, and when the forwarding link goes down traffic resumes on the other in under a second.
 * Open vSwitch runs from the test's own directory with the userspace datapath, and goes with it.
 */
class OvsRstpPeerTest {
    private static final Duration FAILOVER = Duration.ofSeconds(1);

    @Test
    void switchdAndOpenVswitchAgreeOnTheRootBlockOneLinkAndFailOverWithinASecond(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable("needs root, /dev/net/tun, iproute2 and Open vSwitch (openvswitch-switch)", "ovs-vswitchd");
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String s1 = "ov" + id + "s1";
        String s2 = "ov" + id + "s2";
        String o1 = "ov" + id + "o1";
        String o2 = "ov" + id + "o2";
        String sh = "ov" + id + "sh";
        String oh = "ov" + id + "oh";
        String br = "ov" + id + "br";
        List<Netns> namespaces = new ArrayList<>();
        try (Ovs ovs = new Ovs(Files.createDirectory(dir.resolve("ovs")))) {
            Netns[] hosts = KernelStpPeer.twoLinksAndTwoHosts("switchd-test-" + id + "-o", namespaces, s1, o1, s2, o2, oh, sh);
            Netns hostA = hosts[0];
            Netns hostB = hosts[1];

            ovs.start();
            ovs.vsctl("add-br", br, "--", "set", "bridge", br, "datapath_type=netdev", "rstp_enable=true",
                    "other_config:rstp-priority=4096", "other_config:rstp-hello-time=1",
                    "other_config:rstp-max-age=6", "other_config:rstp-forward-delay=4");
            for (String port : new String[] {o1, o2}) {
                ovs.vsctl("add-port", br, port, "--", "set", "port", port, "other_config:rstp-port-admin-edge=false",
                        "other_config:rstp-port-auto-edge=false");
            }
            ovs.vsctl("add-port", br, oh);

            try (TestDaemon daemon = TestDaemon.start(Files.createDirectory(dir.resolve("switchd")), "br0 { stp { mode = rstp,"
                    + " hello-time = 1s, max-age = 6s, forward-delay = 4s }, ports { " + s1 + ".stp.edge = false, "
                    + s2 + ".stp.edge = false, " + sh + " {} } }", null)) {
                try {
                    Await.until(CONVERGED, s1 + " root port and forwarding, " + s2 + " alternate and discarding, Open vSwitch forwarding to its host",
                            () -> s1.equals(daemon.stpTree("br0").path("root_port").asText())
                                    && daemon.stpState("br0", s1).equals("forwarding")
                                    && daemon.stpPort("br0", s2).get("role").asText().equals("alternate")
                                    && daemon.stpState("br0", s2).equals("discarding")
                                    && ovs.vsctl("get", "port", oh, "rstp_status:rstp_port_state").trim().equals("Forwarding"));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; switchd " + daemon.switchctl("stp", "show").out()
                            + " ovs " + ovs.appctl("rstp/show"), e);
                }
                JsonNode tree = daemon.stpTree("br0");
                String ovsBridge = ovs.vsctl("get", "bridge", br, "rstp_status:rstp_bridge_id").trim().replace("\"", "");
                String ovsRoot = ovs.vsctl("get", "bridge", br, "rstp_status:rstp_root_id").trim().replace("\"", "");
                assertEquals(ovsBridge, ovsRoot, "Open vSwitch, priority 4096, is root in its own view");
                // Open vSwitch writes the priority's nibble apart from the system id extension (1.000.…)
                assertEquals(ovsRoot.replace(".", "").toLowerCase(Locale.ROOT), tree.get("root_id").asText().replace(".", ""),
                        "the root in switchd's view: " + tree + ", in Open vSwitch's: " + ovsRoot);

                try (RawSocket a = RawSocket.open(hostA, "eth0"); RawSocket b = RawSocket.open(hostB, "eth0")) {
                    try {
                        assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, b), "copies of one broadcast at the host behind switchd");
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "; switchd " + daemon.switchctl("stp", "show").out()
                                + daemon.switchctl("stats").out() + " ovs " + ovs.appctl("rstp/show") + ovs.appctl("dpctl/show", "-s")
                                + ovs.vsctl("get", "port", oh, "rstp_status"), e);
                    }

                    Duration took = KernelStpPeer.failover(a, b, s1, s2);
                    assertTrue(took.compareTo(FAILOVER) < 0, "traffic resumed after " + took.toMillis() + " ms");
                    assertEquals(s2, daemon.stpTree("br0").get("root_port").asText());
                }
            }
        } finally {
            for (Netns ns : namespaces) {
                ns.close();
            }
            // the userspace datapath's TAP for the bridge outlives ovs-vswitchd
            for (String link : new String[] {s1, s2, oh, sh, br}) {
                Netns.status("ip", "link", "del", link);
            }
        }
    }

    /**
     * ovsdb-server and ovs-vswitchd with their database, sockets, pid files and logs in a directory
     * of the test's; {@link #close} ends the two by the PIDs they wrote.
     */
    private static final class Ovs implements AutoCloseable {
        private final Path dir;
        private boolean ownsNetdevTap;

        Ovs(Path dir) {
            this.dir = dir;
        }

        void start() {
            // the userspace datapath makes a TAP of this name and leaves it behind; ours to remove if it was not there
            ownsNetdevTap = Netns.status("ip", "link", "show", "ovs-netdev") != 0;
            run("ovsdb-tool", "create", dir.resolve("conf.db").toString(), "/usr/share/openvswitch/vswitch.ovsschema");
            run("ovsdb-server", "--remote=punix:" + dir.resolve("db.sock"), "--pidfile=" + dir.resolve("ovsdb.pid"),
                    "--detach", "--log-file=" + dir.resolve("ovsdb.log"), dir.resolve("conf.db").toString());
            vsctl("--no-wait", "init");
            run("ovs-vswitchd", "unix:" + dir.resolve("db.sock"), "--pidfile=" + dir.resolve("vswitchd.pid"),
                    "--detach", "--log-file=" + dir.resolve("vswitchd.log"));
        }

        String vsctl(String... args) {
            List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + dir.resolve("db.sock"), "--timeout=30"));
            cmd.addAll(List.of(args));
            return run(cmd.toArray(new String[0]));
        }

        String appctl(String... args) {
            try {
                List<String> cmd = new ArrayList<>(List.of("ovs-appctl", "-t",
                        dir.resolve("ovs-vswitchd." + pid("vswitchd.pid") + ".ctl").toString()));
                cmd.addAll(List.of(args));
                return run(cmd.toArray(new String[0]));
            } catch (RuntimeException | IOException e) {
                return e.getMessage();
            }
        }

        /** Runs an Open vSwitch command with its run, log and database directories set to ours. */
        private String run(String... command) {
            String d = dir.toString();
            return Netns.run(java.util.Map.of("OVS_RUNDIR", d, "OVS_LOGDIR", d, "OVS_DBDIR", d), command);
        }

        private long pid(String file) throws IOException {
            return Long.parseLong(Files.readString(dir.resolve(file)).trim());
        }

        @Override
        public void close() {
            for (String file : new String[] {"vswitchd.pid", "ovsdb.pid"}) {
                if (!Files.exists(dir.resolve(file))) {
                    continue;
                }
                try {
                    ProcessHandle.of(pid(file)).ifPresent(p -> {
                        p.destroy();
                        p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> {
                            p.destroyForcibly();
                            return p;
                        }).join();
                    });
                } catch (IOException | NumberFormatException e) {
                    // the daemon did not get as far as writing its PID: nothing of ours to end
                }
            }
            if (ownsNetdevTap) {
                Netns.status("ip", "link", "del", "ovs-netdev");
            }
        }
    }
}

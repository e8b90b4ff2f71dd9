package io.switchd.stp;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.testing.Await;
import io.switchd.testing.KernelStpPeer;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two switchd daemons running RSTP, joined by two veth links: proposal and agreement settle the
 * tree with one port discarding, a broadcast crosses once, and when the forwarding link goes down
 * the alternate port takes over at once, as RSTP promises: traffic resumes in under a second.
 */
class TwoSwitchdRstpTest {
    /** The bound for RSTP's failover between two switchd. */
    private static final Duration FAILOVER = Duration.ofSeconds(1);

    @Test
    void theAlternateLinkCarriesTrafficWithinASecondOfTheForwardingOneGoingDown(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String a1 = "st" + id + "a1";
        String a2 = "st" + id + "a2";
        String b1 = "st" + id + "b1";
        String b2 = "st" + id + "b2";
        String ha = "st" + id + "ha";
        String hb = "st" + id + "hb";
        List<Netns> namespaces = new ArrayList<>();
        try {
            Netns[] hosts = KernelStpPeer.twoLinksAndTwoHosts("switchd-test-" + id + "-s", namespaces, a1, b1, a2, b2, ha, hb);
            Netns hostA = hosts[0];
            Netns hostB = hosts[1];
            String timers = "hello-time = 1s, max-age = 6s, forward-delay = 4s";
            Path dirA = Files.createDirectory(dir.resolve("a"));
            Path dirB = Files.createDirectory(dir.resolve("b"));
            try (TestDaemon swA = TestDaemon.start(dirA, "br0 { stp { mode = rstp, priority = 4096, " + timers
                    + " }, ports { " + a1 + ".stp.edge = false, " + a2 + ".stp.edge = false, " + ha + " {} } }", null);
                 TestDaemon swB = TestDaemon.start(dirB, "br0 { stp { mode = rstp, " + timers + " }, ports { "
                         + b1 + ".stp.edge = false, " + b2 + ".stp.edge = false, " + hb + " {} } }", null)) {
                Await.until(KernelStpPeer.CONVERGED, "three of the four link ports forwarding, " + b2 + " discarding",
                        () -> swA.stpState("br0", a1).equals("forwarding") && swA.stpState("br0", a2).equals("forwarding")
                                && swB.stpState("br0", b1).equals("forwarding") && swB.stpState("br0", b2).equals("discarding"));
                JsonNode treeB = swB.stpTree("br0");
                assertEquals(swA.stpTree("br0").get("bridge_id"), treeB.get("root_id"), "A, priority 4096, is B's root");
                assertEquals(b1, treeB.get("root_port").asText());
                assertEquals("alternate", swB.stpPort("br0", b2).get("role").asText());

                try (RawSocket a = RawSocket.open(hostA, "eth0"); RawSocket b = RawSocket.open(hostB, "eth0")) {
                    assertEquals(1, KernelStpPeer.copiesOfOneBroadcast(a, b), "copies of one broadcast at host B");

                    Duration took = KernelStpPeer.failover(a, b, a1, b2);
                    assertTrue(took.compareTo(FAILOVER) < 0, "traffic resumed after " + took.toMillis() + " ms");
                    assertEquals(b2, swB.stpTree("br0").get("root_port").asText());
                }
            }
        } finally {
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String link : new String[] {a1, a2, ha, hb}) {
                Netns.status("ip", "link", "del", link);
            }
        }
    }
}

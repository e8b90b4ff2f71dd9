package io.switchd.port;

import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.testing.Frames;
import io.switchd.testing.Netns;
import io.switchd.testing.RawSocket;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Netdev ports read through a receive ring whose slots hold a 1500-byte MTU's frames; on jumbo
 * veths, frames too big for a slot take the socket's queue instead. Small and jumbo frames, tagged
 * and untagged, interleaved, all cross between two netdev ports byte for byte and in the order sent.
 */
class PacketRingTest {
    private static final int MTU = 9000;

    @Test
    void framesThatFitARingSlotAndFramesThatDoNotCrossIntactAndInOrder() throws Exception {
        Netns.assumeAvailable();
        String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String[] veths = {"sw" + id + "r1", "sw" + id + "r2"};
        List<Netns> namespaces = new ArrayList<>();
        Switchd s = null;
        try {
            for (int i = 0; i < 2; i++) {
                Netns ns = Netns.create("switchd-test-" + id + "-r" + (i + 1));
                namespaces.add(ns);
                Netns.run("ip", "link", "add", veths[i], "mtu", Integer.toString(MTU), "type", "veth", "peer", "name",
                        "eth0", "netns", ns.name());
                ns.exec("ip", "link", "set", "eth0", "mtu", Integer.toString(MTU), "up");
            }
            s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, bridges.br0.ports { " + veths[0]
                    + " { type = netdev }, " + veths[1] + " { type = netdev } } }", "PacketRingTest"));
            try (RawSocket from = RawSocket.open(namespaces.get(0), "eth0");
                 RawSocket to = RawSocket.open(namespaces.get(1), "eth0")) {
                int[] lengths = {60, 4000, 1514, 8000, 2100, 64};
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    int length = lengths[i % lengths.length];
                    long src = 0x0200_0000_0C01L;
                    long dst = 0x0200_0000_0CFFL;
                    byte[] f = i % 4 < 2 ? Frames.tagged(dst, src, 10 + i % 3, Frames.token(), length + 4)
                            : Frames.frame(dst, src, Frames.token(), length);
                    sent.add(f);
                    from.send(f);
                }
                for (int i = 0; i < sent.size(); i++) {
                    byte[] got = to.take();
                    assertNotNull(got, "frame " + i + " of " + sent.size() + " arrived");
                    assertArrayEquals(sent.get(i), got,
                            "frame " + i + " (" + sent.get(i).length + " bytes) arrived as sent, in order");
                }
            }
        } finally {
            if (s != null) {
                s.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
            for (String v : veths) {
                Netns.status("ip", "link", "del", v);
            }
        }
    }
}

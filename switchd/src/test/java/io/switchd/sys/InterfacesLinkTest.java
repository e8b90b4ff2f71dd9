package io.switchd.sys;

import io.switchd.testing.Netns;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the spanning tree's automatic cost and bridge address read from the kernel, read as ethtool and sysfs show it. */
class InterfacesLinkTest {
    @Test
    void speedDuplexAndAddressAreWhatTheKernelReports() throws Exception {
        Netns.assumeAvailable("needs root to make interfaces");
        try (Netns ns = Netns.create("swlink")) {
            ns.exec("ip", "link", "add", "va", "address", "02:00:00:aa:bb:01", "type", "veth", "peer", "name", "vb");
            ns.exec("ip", "tuntap", "add", "dev", "tp", "mode", "tap");
            for (String dev : new String[] {"va", "vb", "tp"}) {
                ns.exec("ip", "link", "set", dev, "up");
            }
            // sysfs answers only for a running interface; the TAP's speed is its driver's default
            // (10 Mb/s on older kernels, 10 Gb/s on newer ones)
            long tapSpeed = Long.parseLong(ns.exec("cat", "/sys/class/net/tp/speed").trim());
            ns.inside(() -> {
                assertEquals(new LinkSpeed(10_000, true), Interfaces.speed("va"), "a veth");
                assertEquals(new LinkSpeed(tapSpeed, true), Interfaces.speed("tp"), "a TAP");
                assertEquals(LinkSpeed.UNKNOWN, Interfaces.speed("nosuchif"));
                assertEquals(0x0200_00aa_bb01L, Interfaces.macAddress("va"));
                assertEquals(-1, Interfaces.macAddress("nosuchif"));
                return null;
            });
            String tapMac = ns.exec("cat", "/sys/class/net/tp/address").trim();
            long fromSysfs = Long.parseLong(tapMac.replace(":", ""), 16);
            assertEquals(fromSysfs, ns.inside(() -> Interfaces.macAddress("tp")));
        }
    }
}

package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.sys.Interfaces;
import io.switchd.testing.Netns;
import io.switchd.testing.Scripts;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * systemd/switchd-libvirt-hook as libvirt runs it (/etc/libvirt/hooks/qemu DOMAIN OPERATION SUB
 * EXTRA, the domain XML on stdin), for a domain with disks, a cdrom, a console, a bridged NIC and
 * two ethernet NICs whose taps exist: started attaches the two ethernet taps (and nothing else),
 * stopped detaches what started added but not the one the config file declares, release after it
 * does nothing.
 */
class LibvirtHookTest {
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final String declared = "lv" + id + "a";
    private final String added = "lv" + id + "b";
    private final String bridged = "lv" + id + "c";
    private final String domain = "vm-" + id;

    private String domainXml() {
        return """
                <domain type='kvm' id='7'>
                  <name>%s</name>
                  <memory unit='KiB'>524288</memory>
                  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
                  <devices>
                    <emulator>/usr/bin/qemu-system-x86_64</emulator>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='/var/lib/libvirt/images/a.qcow2'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <disk type='file' device='disk'>
                      <source file='/var/lib/libvirt/images/b.qcow2'/>
                      <target dev='vdb' bus='virtio'/>
                    </disk>
                    <disk type='file' device='cdrom'>
                      <source file='/var/lib/libvirt/images/install.iso'/>
                      <target dev='sda' bus='sata'/>
                      <readonly/>
                    </disk>
                    <interface type='bridge'>
                      <source bridge='virbr0'/>
                      <target dev='%s'/>
                      <model type='virtio'/>
                    </interface>
                    <interface type='ethernet'>
                      <mac address='52:54:00:00:00:01'/>
                      <target dev='%s' managed='no'/>
                      <model type='virtio'/>
                    </interface>
                    <interface type="ethernet">
                      <mac address="52:54:00:00:00:02"/>
                      <target dev="%s" managed="no"/>
                      <model type="virtio"/>
                    </interface>
                    <serial type='pty'>
                      <target type='isa-serial' port='0'><model name='isa-serial'/></target>
                    </serial>
                    <console type='pty'>
                      <target type='serial' port='0'/>
                    </console>
                  </devices>
                </domain>
                """.formatted(domain, bridged, declared, added);
    }

    @Test
    void startedAttachesTheEthernetTapsAndStoppedDetachesOnlyWhatItAdded(@TempDir Path dir) throws Exception {
        Netns.assumeAvailable();
        List<String> taps = new ArrayList<>();
        String config = "br0 { ports { " + declared + " { vlan-mode = access, vlan = 10 } } }";
        try (TestDaemon daemon = TestDaemon.start(dir, config, null)) {
            for (String tap : List.of(declared, added, bridged)) {
                Netns.run("ip", "tuntap", "add", "dev", tap, "mode", "tap");
                taps.add(tap);
            }
            Scripts scripts = Scripts.forDaemon(dir, daemon.socket());
            String hook = Scripts.script("switchd-libvirt-hook").toString();

            Scripts.Result started = scripts.run(domainXml(), hook, domain, "started", "begin", "-");
            assertEquals(0, started.status(), started.toString());
            JsonNode a = daemon.port("br0", declared);
            assertEquals("config", a.path("origin").asText(), a.toString());
            assertEquals(10, a.path("vlan").asInt(), a.toString());
            JsonNode b = daemon.port("br0", added);
            assertNotNull(b, "the second ethernet tap is attached: " + started);
            assertEquals("api", b.path("origin").asText(), b.toString());
            assertEquals("libvirt:" + domain, b.path("owner").asText(), b.toString());
            assertNull(daemon.port("br0", bridged), "a bridged interface is not switchd's");
            for (String tap : List.of(declared, added)) {
                assertTrue(Netns.run("ip", "link", "show", "dev", tap).contains(",UP"), tap + " is set up");
            }

            // the VM stops: its taps go, then libvirt says stopped, then release
            for (String tap : List.of(declared, added)) {
                Netns.run("ip", "tuntap", "del", "dev", tap, "mode", "tap");
                taps.remove(tap);
            }
            Scripts.Result stopped = scripts.run(domainXml(), hook, domain, "stopped", "end", "-");
            assertEquals(0, stopped.status(), stopped.toString());
            assertNull(daemon.port("br0", added), "what started added is gone: " + stopped);
            a = daemon.port("br0", declared);
            assertNotNull(a, "the port the config file declares stays: " + stopped);
            assertEquals(10, a.path("vlan").asInt(), a.toString());
            assertTrue(stopped.err().contains("port br0/" + declared + " stays: it is declared in the config file"),
                    stopped.toString());

            Scripts.Result release = scripts.run(domainXml(), hook, domain, "release", "end", "-");
            assertEquals(0, release.status(), release.toString());
            assertNotNull(daemon.port("br0", declared));
            assertEquals(1, daemon.client().call("GET", "/v1/bridges/br0/ports", null).size());

            Scripts.Result other = scripts.run("", hook, domain, "prepare", "begin", "-");
            assertEquals(0, other.status(), "an operation the hook has nothing to do for: " + other);
        } finally {
            for (String tap : taps) {
                if (Interfaces.exists(tap)) {
                    Netns.status("ip", "tuntap", "del", "dev", tap, "mode", "tap");
                }
            }
        }
    }
}

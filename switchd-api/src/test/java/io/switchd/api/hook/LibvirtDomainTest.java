package io.switchd.api.hook;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A domain's XML to its ethernet interfaces' taps: only those, and nothing the XML could make the parser fetch. */
class LibvirtDomainTest {
    @Test
    void onlyTheTargetsOfEthernetInterfacesCount() throws Exception {
        String xml = "<domain type='kvm'><name>vm1</name><devices>"
                + "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>"
                + "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>"
                + "<interface type='bridge'><source bridge='virbr0'/><target dev='vnet0'/></interface>"
                + "<interface type='ethernet'><target dev='vm1-a' managed='no'/></interface>"
                + "<interface type='ethernet'><model type='virtio'/></interface>"
                + "<console type='pty'><target type='serial' port='0'/></console>"
                + "<interface type=\"ethernet\"><target dev=\"vm1-b\"/></interface>"
                + "</devices><metadata><interface type='ethernet'><target dev='not-a-device'/></interface></metadata>"
                + "</domain>";
        assertEquals(List.of("vm1-a", "vm1-b"), targets(xml));
    }

    @Test
    void aDoctypeIsRefusedSoNoEntityIsEverFetched() {
        String xml = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
                + "<domain><devices><interface type='ethernet'><target dev='&x;'/></interface></devices></domain>";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> targets(xml));
        assertTrue(e.getMessage().startsWith("the domain XML is not readable: line 1: ")
                && e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void somethingElseThanADomainIsAMistakeInTheUsersWords() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> targets("<network><name>default</name></network>"));
        assertEquals("not a libvirt domain: the XML's root is <network>, not <domain>", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> targets("<domain>\n<devices>\n</domain>"));
        assertTrue(e.getMessage().startsWith("the domain XML is not readable: line 3: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> targets(""));
        assertTrue(e.getMessage().startsWith("the domain XML is not readable"), e.getMessage());
    }

    private static List<String> targets(String xml) throws Exception {
        return LibvirtDomain.ethernetTargets(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}

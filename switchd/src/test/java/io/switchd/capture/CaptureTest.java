package io.switchd.capture;

import io.switchd.api.client.ApiException;
import io.switchd.api.client.StreamedAnswer;
import io.switchd.frame.MacAddress;
import io.switchd.testing.Await;
import io.switchd.testing.Frames;
import io.switchd.testing.RawSocket;
import io.switchd.testing.Netns;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Live capture end to end over real interfaces: hosts in namespaces behind veths on a switchd in
 * this JVM, captures read back with tcpdump and tshark. br0: h1, h2, h3 untagged; br1: h4 an
 * access port of VLAN 10, h5 a trunk carrying VLAN 10 tagged (its host sends tagged test frames
 * from a raw socket: the kernel here may have no 8021q module for a VLAN interface).
 */
class CaptureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ID = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private static final List<Netns> NAMESPACES = new ArrayList<>();
    private static final List<String> LINKS = new ArrayList<>();
    private static Path dir;
    private static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        Netns.assumeAvailable("live capture", "tshark");
        Netns.assumeAvailable("live capture", "tcpdump");
        dir = Files.createTempDirectory("switchd-capture");
        try {
            for (int n = 1; n <= 5; n++) {
                Netns ns = Netns.create("switchd-cap-" + ID + "-h" + n);
                NAMESPACES.add(ns);
                LINKS.add(port(n));
                Netns.run("ip", "link", "add", port(n), "type", "veth", "peer", "name", "eth0", "netns", ns.name());
                Netns.run("ip", "link", "set", port(n), "up");
                ns.exec("ip", "link", "set", "dev", "eth0", "address", MacAddress.format(mac(n)));
                ns.exec("ip", "link", "set", "dev", "eth0", "up");
            }
            for (int n = 1; n <= 3; n++) {
                ns(n).exec("ip", "addr", "add", address(n) + "/24", "dev", "eth0");
            }
            // every host knows its neighbours for good: no ARP but a test's own crosses the switch
            for (int n = 1; n <= 3; n++) {
                for (int m = 1; m <= 3; m++) {
                    if (m != n) {
                        ns(n).exec("ip", "neigh", "replace", address(m), "lladdr", MacAddress.format(mac(m)), "dev",
                                "eth0", "nud", "permanent");
                    }
                }
            }
            daemon = TestDaemon.start(dir, "br0 { ports { " + port(1) + " { type = netdev }, " + port(2)
                    + " { type = netdev }, " + port(3) + " { type = netdev } } }, br1 { ports { " + port(4)
                    + " { type = netdev, vlan-mode = access, vlan = 10 }, " + port(5)
                    + " { type = netdev, vlan-mode = trunk, vlans = [10] } } }", null);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        for (String l : LINKS) {
            Netns.status("ip", "link", "del", l);
        }
        for (Netns ns : NAMESPACES) {
            ns.close();
        }
        if (dir != null) {
            Netns.status("rm", "-rf", dir.toString());
        }
    }

    private static String port(int n) {
        return "cp" + ID + "p" + n;
    }

    private static long mac(int n) {
        return 0x0200_0000_0a00L | n;
    }

    private static String address(int n) {
        return (n <= 3 ? "10.91.0." : "10.92.0.") + n;
    }

    private static Netns ns(int n) {
        return NAMESPACES.get(n - 1);
    }

    /** Runs {@code capture} on a thread while h{@code from} pings {@code to}, once a round, until the capture ends. */
    private static <T> T whilePinging(int from, int to, Supplier<T> capture) throws Exception {
        CompletableFuture<T> done = CompletableFuture.supplyAsync(capture);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.isDone()) {
            assertTrue(System.nanoTime() < deadline, "the capture did not end while h" + from + " pinged h" + to);
            ns(from).execStatus("ping", "-c", "1", "-W", "1", address(to));
        }
        return done.get(1, TimeUnit.SECONDS);
    }

    private static String tcpdump(Path file) {
        // its "reading from file" note goes to stderr, which run() would mix in
        return Netns.run("sh", "-c", "tcpdump -n -e -r '" + file + "' 2>/dev/null");
    }

    /** Each frame's interface name and direction (and {@code more} fields) as tshark reads them. */
    private static String tshark(Path file, String... more) {
        StringBuilder fields = new StringBuilder("-e frame.interface_name -e frame.packet_flags_direction");
        for (String f : more) {
            fields.append(" -e ").append(f);
        }
        return Netns.run("sh", "-c", "tshark -r '" + file + "' -T fields " + fields + " 2>/dev/null");
    }

    @Test
    void aPortsCaptureShowsThePingBothWaysWithItsNameAndDirections() throws Exception {
        Path file = dir.resolve("ping.pcapng");
        TestDaemon.CliResult r = whilePinging(1, 2, () -> daemon.switchctl("capture", "br0", "--port", port(1), "-c", "4",
                "-w", file.toString()));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("4 packets captured"), r.err());
        assertTrue(r.err().contains("packets dropped by switchd"), r.err());

        String text = tcpdump(file);
        String h1 = MacAddress.format(mac(1));
        String h2 = MacAddress.format(mac(2));
        assertTrue(text.contains(h1 + " > " + h2) && text.contains("ICMP echo request"), text);
        assertTrue(text.contains(h2 + " > " + h1) && text.contains("ICMP echo reply"), text);

        String fields = tshark(file, "icmp.type");
        List<String> lines = fields.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(4, lines.size(), fields);
        for (String l : lines) {
            String[] f = l.split("\t");
            assertEquals(port(1), f[0], fields);
            // a request comes in from h1; a reply goes out to it
            assertEquals(f[2].equals("8") ? 1 : 2, Integer.decode(f[1]), fields);
        }
    }

    @Test
    void aBridgesCaptureOfAFloodShowsOneInAndOneOutPerEgressPort() throws Exception {
        // h1 asks for an address nobody has: its ARP request is flooded to h2 and h3
        Path file = dir.resolve("flood.pcapng");
        CompletableFuture<TestDaemon.CliResult> capture = CompletableFuture.supplyAsync(() -> daemon.switchctl(
                "capture", "br0", "--filter", "arp and ether src " + MacAddress.format(mac(1)), "-c", "3", "-w",
                file.toString()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!capture.isDone()) {
            assertTrue(System.nanoTime() < deadline, "no ARP flood was captured");
            ns(1).execStatus("ping", "-c", "1", "-W", "1", "10.91.0.99");
        }
        TestDaemon.CliResult r = capture.get();
        assertEquals(0, r.status(), r.err());
        String fields = tshark(file);
        List<String> lines = fields.lines().map(l -> l.replaceAll("0x0*", "")).sorted().toList();
        assertEquals(List.of(port(1) + "\t1", port(2) + "\t2", port(3) + "\t2"), lines, fields);
    }

    @Test
    void aFilterKeepsOnlyWhatItMatches() throws Exception {
        Path file = dir.resolve("icmp.pcapng");
        // UDP from h2 to h1 runs alongside the ping the capture is after
        CompletableFuture<TestDaemon.CliResult> capture = CompletableFuture.supplyAsync(() -> daemon.switchctl(
                "capture", "br0", "--port", port(1), "--filter", "icmp", "-c", "6", "-w", file.toString()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!capture.isDone()) {
            assertTrue(System.nanoTime() < deadline, "the filtered capture did not end");
            ns(2).execStatus("sh", "-c", "echo noise > /dev/udp/" + address(1) + "/9");
            ns(2).execStatus("ping", "-c", "1", "-W", "1", address(1));
        }
        assertEquals(0, capture.get().status(), capture.get().err());
        String text = tcpdump(file);
        assertEquals(6, text.lines().count(), text);
        assertTrue(text.lines().allMatch(l -> l.contains("ICMP")), text);
    }

    @Test
    void aFilterThatDoesNotCompileIs400WithLibpcapsMessage() throws Exception {
        ApiException e = refused("/v1/bridges/br0/capture?filter=tcp%20prot%2080");
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
    }

    @Test
    void unknownBridgesAndPortsAreRefused() throws Exception {
        assertEquals(404, refused("/v1/bridges/nope/capture").status());
        assertEquals(404, refused("/v1/bridges/br0/capture?port=nope").status());
        assertEquals(400, refused("/v1/bridges/br0/capture?direction=sideways").status());
    }

    private static ApiException refused(String path) throws IOException {
        try (StreamedAnswer a = StreamedAnswer.get(daemon.socket(), path)) {
            throw new AssertionError("a capture started for " + path);
        } catch (ApiException e) {
            return e;
        }
    }

    @Test
    void aTrunkPortsCaptureShowsTheTagAndAnAccessPortsNone() throws Exception {
        Path file = dir.resolve("vlan.pcapng");
        CompletableFuture<TestDaemon.CliResult> capture = CompletableFuture.supplyAsync(() -> daemon.switchctl(
                "capture", "br1", "--filter", "ether src " + MacAddress.format(mac(5)), "-c", "2", "-w", file.toString()));
        try (RawSocket h5 = RawSocket.open(ns(5), "eth0")) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!capture.isDone()) {
                assertTrue(System.nanoTime() < deadline, "the tagged frame was not captured");
                h5.send(Frames.tagged(mac(4), mac(5), 10, Frames.token()));
                try {
                    capture.get(100, TimeUnit.MILLISECONDS); // until the capture has its frames; sent again after
                } catch (java.util.concurrent.TimeoutException e) {
                    // not yet: the capture may have started after the frame went by
                }
            }
        }
        assertEquals(0, capture.get().status(), capture.get().err());
        // in on the trunk as received, tagged; out on the access port as written there, untagged
        List<String> lines = tshark(file, "vlan.id").lines().map(l -> l.replaceAll("0x0*", "")).sorted().toList();
        assertEquals(List.of(port(4) + "\t2\t", port(5) + "\t1\t10"), lines);
    }

    @Test
    void aReaderThatDoesNotReadLosesFramesNotForwarding() throws Exception {
        try (SocketChannel stalled = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            stalled.connect(UnixDomainSocketAddress.of(daemon.socket()));
            stalled.write(ByteBuffer.wrap(("GET /v1/bridges/br0/capture?port=" + port(2)
                    + " HTTP/1.1\r\nHost: switchd\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            // ...and never reads. A flood of pings through the captured port goes on regardless.
            String out = ns(1).exec("ping", "-f", "-c", "5000", "-s", "1400", "-W", "1", address(2));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) received").matcher(out);
            assertTrue(m.find() && Integer.parseInt(m.group(1)) >= 4950, out);
            String id = captureId(stalled);
            Await.until(WAIT, "the stalled capture counts drops", () -> dropped(id) > 0);
            assertTrue(dropped(id) > 0);
        }
        // and the daemon serves the next capture
        Path file = dir.resolve("after.pcapng");
        TestDaemon.CliResult r = whilePinging(1, 2, () -> daemon.switchctl("capture", "br0", "--port", port(1), "-c", "2",
                "-w", file.toString()));
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void moreCapturesThanAllowedAreRefusedAndTheOthersRunOn() throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // switchd.control.max-captures, by default
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                open.add(ch);
                ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
                ch.write(ByteBuffer.wrap(("GET /v1/bridges/br0/capture?port=" + port(3)
                        + " HTTP/1.1\r\nHost: switchd\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                ids.add(captureId(ch));
            }
            ApiException e = refused("/v1/bridges/br0/capture");
            assertEquals(429, e.status());
            assertTrue(e.getMessage().contains("max-captures"), e.getMessage());
            for (String id : ids) {
                assertTrue(daemon.client().call("GET", "/v1/captures/" + id, null).get("running").asBoolean(), id);
            }
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
        // the clients went away: their captures end
        for (String id : ids) {
            Await.until(WAIT, "capture " + id + " ends with its client", () -> {
                try {
                    return !daemon.client().call("GET", "/v1/captures/" + id, null).get("running").asBoolean();
                } catch (IOException | ApiException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    /** The capture id in the head of the answer on {@code ch}, read without reading much more. */
    private static String captureId(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            b.clear();
            if (ch.read(b) < 0) {
                fail("closed: " + got);
            }
            got.write(b.array(), 0, b.position());
        }
        for (String l : got.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (l.toLowerCase(Locale.ROOT).startsWith("switchd-capture-id:")) {
                return l.substring(l.indexOf(':') + 1).trim();
            }
        }
        throw new AssertionError("no capture id in " + got);
    }

    private static long dropped(String id) {
        try {
            return daemon.client().call("GET", "/v1/captures/" + id, null).get("dropped").asLong();
        } catch (IOException | ApiException e) {
            throw new AssertionError(e);
        }
    }
}

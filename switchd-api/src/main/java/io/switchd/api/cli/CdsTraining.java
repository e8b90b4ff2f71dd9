package io.switchd.api.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The run the launcher records switchctl's class-data archive from (bin/switchctl, install.sh):
 * the commands scripts call most, against a stand-in daemon on a socket of its own, so that the
 * archive holds the classes a real call loads rather than those of whichever call came first.
 * Prints nothing; not a command of switchctl's.
 */
final class CdsTraining {
    private static final String PORTS = "[{\"bridge\":\"br0\",\"name\":\"p0\",\"type\":\"tap\",\"state\":\"up\",\"mtu\":1500,"
            + "\"persistent\":false,\"vlan_mode\":\"trunk\",\"vlan\":null,\"vlans\":\"10-20\",\"native_vlan\":1,"
            + "\"mac_limit\":0,\"learning\":true,\"flood\":true,\"locked\":false,\"isolated\":false,"
            + "\"storm_control\":{\"broadcast\":0,\"multicast\":0,\"unknown_unicast\":0,\"burst\":100}}]";
    private static final String BRIDGES = "[{\"name\":\"br0\",\"ports\":[\"p0\"],\"ageing_time\":300,"
            + "\"mac_table_size\":65536,\"group_forward_mask\":0,\"fdb_entries\":1}]";
    private static final String STATS = "[{\"bridge\":\"br0\",\"port\":\"p0\",\"rx_frames\":1,\"rx_bytes\":64,"
            + "\"tx_frames\":0,\"tx_bytes\":0,\"drops\":{\"runt\":1,\"vlan-invalid\":0}}]";
    private static final String FDB = "[{\"bridge\":\"br0\",\"port\":\"p0\",\"vlan\":10,\"mac\":\"02:00:00:00:00:01\","
            + "\"type\":\"learned\",\"age\":3}]";
    private static final String RELOAD = "{\"changes\":[{\"action\":\"added\",\"kind\":\"bridge\",\"name\":\"br1\","
            + "\"detail\":null}],\"conflicts\":[],\"needs_restart\":[],\"unchanged_ports\":1}";

    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("switchctl-cds");
        Path socket = dir.resolve("switchd.sock");
        PrintStream out = System.out;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread daemon = new Thread(() -> serve(server), "stand-in daemon");
            daemon.setDaemon(true);
            daemon.start();
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            for (String command : new String[] {"--help", "port set --help", "port list", "-j port list", "bridge list",
                "stats", "fdb show", "port set br0 p0 vlan-mode trunk vlans 10-20 learning off", "port add br0 p0 --may-exist",
                "port del br0 nope", "reload", "port set br0 p0 vlan 5000", "bogus"}) {
                List<String> words = new ArrayList<>(List.of("-s", socket.toString()));
                words.addAll(List.of(command.split(" ")));
                PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream());
                String[] call = words.toArray(String[]::new);
                Switchctl.commandLine(call).setOut(nowhere).setErr(nowhere).execute(call);
            }
        } finally {
            System.setOut(out);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static void serve(ServerSocketChannel server) {
        while (true) {
            try (SocketChannel c = server.accept()) {
                String request = readRequest(c);
                String path = request.substring(request.indexOf(' ') + 1, request.indexOf(" HTTP/"));
                int status = 200;
                String body;
                if (path.startsWith("/v1/ports") || path.startsWith("/v1/bridges/br0/ports/p0")) {
                    body = path.endsWith("p0") ? PORTS.substring(1, PORTS.length() - 1) : PORTS;
                } else if (path.equals("/v1/bridges")) {
                    body = BRIDGES;
                } else if (path.startsWith("/v1/stats")) {
                    body = STATS;
                } else if (path.startsWith("/v1/fdb")) {
                    body = FDB;
                } else if (path.equals("/v1/reload")) {
                    body = RELOAD;
                } else {
                    status = 404;
                    body = "{\"error\":\"no port nope on bridge br0\"}";
                }
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                c.write(ByteBuffer.wrap(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: "
                        + b.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                c.write(ByteBuffer.wrap(b));
            } catch (IOException | RuntimeException e) {
                return;
            }
        }
    }

    /** The request's head; its body, if any, read and dropped. */
    private static String readRequest(SocketChannel c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        String text = "";
        while (!text.contains("\r\n\r\n") || text.length() < text.indexOf("\r\n\r\n") + 4 + contentLength(text)) {
            if (c.read(in) < 0) {
                break;
            }
            text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        }
        return text;
    }

    private static int contentLength(String head) {
        int i = head.indexOf("Content-Length: ");
        return i < 0 ? 0 : Integer.parseInt(head.substring(i + 16, head.indexOf("\r\n", i)).trim());
    }
}

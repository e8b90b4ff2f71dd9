package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.ApiPaths;
import io.switchd.api.client.ApiException;
import io.switchd.api.client.StreamedAnswer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code switchctl capture}: streams what a bridge's ports see, as pcapng, to a file or to a
 * pipe (tcpdump -r -, tshark -r -, Wireshark), until -c frames or Ctrl-C; then says on stderr,
 * as tcpdump does, how many frames it wrote and how many switchd dropped because the reader was slow.
 */
@Command(name = "capture", description = "Capture frames on a bridge's ports as pcapng, for tcpdump, tshark or "
        + "Wireshark: each frame as it comes in on a port (in) and as it is written to each port (out), with its "
        + "VLAN tag as it is on that port. Ends after -c frames or on Ctrl-C.",
        footer = {"%nExamples:", "  switchctl capture br0 --port vm1 -w - | tcpdump -n -r -",
            "  switchctl capture br0 --filter 'icmp' -c 100 -w icmp.pcapng"})
final class Capture implements Callable<Integer> {
    /** The snaplen option's names: -s as tcpdump's, which the command takes over from the inherited control socket's. */
    static final String SNAPLEN = "--snaplen";

    @ParentCommand
    Switchctl root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "BR", description = "The bridge.")
    String bridge;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Only this port; repeat for more "
            + "(default: every port the bridge has when the capture starts).")
    List<String> ports = new ArrayList<>();

    @Option(names = "--vlan", paramLabel = "VID", description = "Only frames on this VLAN.")
    Integer vlan;

    @Option(names = "--direction", paramLabel = "in|out|both", defaultValue = "both",
            description = "Frames coming in on the ports, going out, or both (default).")
    String direction;

    @Option(names = {"-f", "--filter"}, paramLabel = "EXPR", description = "Only frames this tcpdump filter "
            + "matches (compiled by switchd with libpcap), e.g. 'tcp port 80'.")
    String filter;

    @Option(names = "-c", paramLabel = "COUNT", description = "Stop after this many frames (default: until Ctrl-C).")
    Long count;

    @Option(names = "-w", paramLabel = "FILE", description = "Write pcapng to FILE, or to standard output with -. "
            + "Without -w: standard output if it is not a terminal; otherwise refused.")
    String file;

    @Override
    public Integer call() throws Exception {
        Integer snaplen = spec.commandLine().getParseResult().matchedOptionValue(SNAPLEN, null);
        boolean toStdout = file == null ? System.console() == null : file.equals("-");
        if (file == null && !toStdout) {
            throw new CommandLine.ParameterException(spec.commandLine(), "pcapng is not for a terminal: give -w FILE, "
                    + "or -w - to pipe it, as in: switchctl capture " + bridge + " -w - | tcpdump -n -r -");
        }
        StringBuilder q = new StringBuilder();
        for (String p : ports) {
            add(q, "port", p);
        }
        add(q, "vlan", vlan == null ? null : vlan.toString());
        add(q, "direction", direction);
        add(q, "filter", filter);
        add(q, "count", count == null ? null : count.toString());
        add(q, "snaplen", snaplen == null ? null : snaplen.toString());
        String path = ApiPaths.PREFIX + "/bridges/" + Switchctl.enc(bridge) + "/capture" + q;
        StreamedAnswer answer = StreamedAnswer.get(root.socket, path);
        OutputStream out = toStdout ? System.out : Files.newOutputStream(Path.of(file));
        Counting counted = new Counting(out);
        CountDownLatch reported = new CountDownLatch(1);
        // Ctrl-C: end the stream, and let the lines below say what was captured before the JVM goes
        Thread hook = new Thread(() -> {
            try {
                answer.close();
                reported.await(3, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // leaving anyway
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        boolean whole;
        try {
            whole = answer.copyTo(counted);
            counted.flush();
        } finally {
            answer.close();
            if (!toStdout) {
                out.close();
            }
        }
        String dropped = answer.trailer("switchd-dropped");
        if (dropped == null) {
            dropped = droppedAfterwards(answer.header(CAPTURE_ID));
        }
        System.err.println(counted.frames() + " packets captured");
        System.err.println(dropped + " packets dropped by switchd");
        reported.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down (Ctrl-C): the hook is running and has its answer
        }
        return whole || count == null ? 0 : 1;
    }

    /** The response header that names the capture. */
    private static final String CAPTURE_ID = "switchd-capture-id";

    /** The capture's dropped count, asked for after the stream ended without its trailers (Ctrl-C). */
    private String droppedAfterwards(String id) {
        if (id == null) {
            return "?";
        }
        try {
            JsonNode n = root.call("GET", "/captures/" + id, null);
            return n.path("dropped").asText("?");
        } catch (IOException | ApiException e) {
            return "?";
        }
    }

    private static void add(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append(q.length() == 0 ? '?' : '&').append(name).append('=').append(Switchctl.enc(value));
        }
    }

    /** Passes pcapng through, counting its enhanced packet blocks (type 6) as they go by. */
    static final class Counting extends FilterOutputStream {
        private final byte[] head = new byte[8];
        private int headFill;
        private long remaining;
        private long frames;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            int i = off;
            int end = off + len;
            while (i < end) {
                if (remaining > 0) {
                    int n = (int) Math.min(remaining, end - i);
                    remaining -= n;
                    i += n;
                    continue;
                }
                head[headFill++] = b[i++];
                if (headFill == 8) {
                    headFill = 0;
                    int type = le(0);
                    long length = le(4) & 0xffffffffL;
                    if (type == 6) {
                        frames++;
                    }
                    remaining = Math.max(0, length - 8);
                }
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        private int le(int at) {
            return (head[at] & 0xff) | (head[at + 1] & 0xff) << 8 | (head[at + 2] & 0xff) << 16 | (head[at + 3] & 0xff) << 24;
        }

        long frames() {
            return frames;
        }
    }
}

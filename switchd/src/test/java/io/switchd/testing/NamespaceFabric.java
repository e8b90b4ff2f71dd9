package io.switchd.testing;

import io.switchd.Switchd;
import io.switchd.bridge.Bridge;
import io.switchd.config.ConfigLoader;
import io.switchd.frame.MacAddress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The test topology over real interfaces: a switchd in this JVM, h1, h2 and h4 behind TAP ports
 * moved into their own namespaces, h3 and h5 behind veths attached as netdev ports. Every name
 * carries a random id; closing removes every namespace and interface it made, and nothing else.
 */
public final class NamespaceFabric implements Fabric {
    private final String id = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();
    private final NsHost[] hosts = new NsHost[8];
    private final Switchd switchd;
    private final Thread cleanup = new Thread(this::cleanUp, "fabric-cleanup");
    private boolean closed;

    public NamespaceFabric() throws Exception {
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (int n = 1; n <= 7; n++) {
                namespaces.add(Netns.create("switchd-test-" + id + "-h" + n));
            }
            for (int n : new int[] {3, 5, 7}) {
                String link = portName(n);
                rootLinks.add(link);
                Netns.run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns(n).name());
            }
            String config = "switchd { threads = 2, bridges {\n"
                    + " br0 { mac-table-size = 4096, ports { " + portName(1) + " { type = tap }, " + portName(2)
                    + " { type = tap }, " + portName(3) + " { type = netdev }, " + portName(6) + " { type = tap }, "
                    + portName(7) + " { type = netdev } } }\n"
                    + " br1 { group-forward-mask = 0x4000, ports { " + portName(4) + " { type = tap }, "
                    + portName(5) + " { type = netdev } } }\n"
                    + "} }";
            switchd = Switchd.start(ConfigLoader.parse(config, "NamespaceFabric"));
            for (int n = 1; n <= 7; n++) {
                Netns ns = ns(n);
                String ifname = netdev(n) ? "eth0" : portName(n);
                if (ifname.equals(portName(n))) {
                    Netns.run("ip", "link", "set", ifname, "netns", ns.name());
                }
                long mac = 0x0200_0000_0000L | n;
                ns.exec("ip", "link", "set", "dev", ifname, "address", MacAddress.format(mac));
                ns.exec("ip", "addr", "add", address(n) + "/24", "dev", ifname);
                ns.exec("ip", "link", "set", "dev", ifname, "up");
                hosts[n] = new NsHost(ns, ifname, portName(n), mac, RawSocket.open(ns, ifname));
            }
            // Every host knows every other's address for good: no ARP request or probe is ever sent,
            // so nothing but a test's own frames crosses the switch (a stray ARP broadcast flooded
            // to a host a test expects to see nothing moved its counter).
            for (int n = 1; n <= 7; n++) {
                for (int m = 1; m <= 7; m++) {
                    if (m != n) {
                        hosts[n].ns.exec("ip", "neigh", "replace", address(m), "lladdr",
                                MacAddress.format(0x0200_0000_0000L | m), "dev", hosts[n].ifname, "nud", "permanent");
                    }
                }
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** The name of host n's bridge port in the daemon. */
    public String portName(int n) {
        return "sw" + id + (netdev(n) ? "v" : "t") + n;
    }

    private static boolean netdev(int n) {
        return n == 3 || n == 5 || n == 7;
    }

    /** Host n's namespace. */
    public Netns ns(int n) {
        return namespaces.get(n - 1);
    }

    /** Host n's IPv4 address, which exists only inside its namespace. */
    public String address(int n) {
        return n == 4 || n == 5 ? "10.77.1." + n : "10.77.0." + n;
    }

    /** The daemon under test. */
    public Switchd switchd() {
        return switchd;
    }

    @Override
    public Host host(int n) {
        return hosts[n];
    }

    @Override
    public Bridge bridge(String name) {
        return switchd.bridge(name);
    }

    @Override
    public void allowOversize(Host host) {
        NsHost h = (NsHost) host;
        h.ns.exec("ip", "link", "set", "dev", h.ifname, "mtu", "2000");
    }

    @Override
    public boolean canSendRunts() {
        // The kernel refuses (or with CAP_SYS_RAWIO pads to 14 bytes) a frame shorter than an Ethernet header.
        return false;
    }

    @Override
    public synchronized void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        for (NsHost h : hosts) {
            if (h != null) {
                h.stop();
            }
        }
        if (switchd != null) {
            switchd.close();
        }
        for (Netns ns : namespaces) {
            ns.close();
        }
        for (String link : rootLinks) {
            if (io.switchd.sys.Interfaces.exists(link)) {
                Netns.status("ip", "link", "del", link);
            }
        }
    }

    /**
     * A host in a namespace. A reader thread drains its capture socket all the time, so a burst
     * of frames (a storm test) cannot leave the socket full when a later frame arrives.
     */
    private static final class NsHost implements Host {
        final Netns ns;
        final String ifname;
        final String port;
        final long mac;
        final RawSocket socket;
        final Map<Long, Integer> seen = new HashMap<>();
        final Thread reader;
        volatile boolean running = true;

        NsHost(Netns ns, String ifname, String port, long mac, RawSocket socket) {
            this.ns = ns;
            this.ifname = ifname;
            this.port = port;
            this.mac = mac;
            this.socket = socket;
            this.reader = new Thread(this::read, "capture-" + ifname + "-" + ns.name());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            while (running) {
                byte[] f = socket.take();
                if (f == null) {
                    continue;
                }
                long t = Frames.tokenOf(f);
                if (t != 0) {
                    synchronized (this) {
                        seen.put(t, Frames.vlanOf(f));
                        notifyAll();
                    }
                }
            }
        }

        void stop() {
            running = false;
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.close();
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public String port() {
            return port;
        }

        @Override
        public void send(byte[] frame) {
            socket.send(frame);
        }

        @Override
        public synchronized boolean await(long token, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!seen.containsKey(token)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }

        @Override
        public String diagnose() {
            return ns.exec("ip", "-s", "-s", "link", "show", "dev", ifname).replaceAll("\\s+", " ")
                    + " | socket: " + socket.stats();
        }

        @Override
        public synchronized int vlanOf(long token) {
            return seen.get(token);
        }

        @Override
        public synchronized boolean received(long token) {
            return seen.containsKey(token);
        }
    }
}

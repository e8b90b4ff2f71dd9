package io.switchd.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.bridge.Bridge;
import io.switchd.config.BridgeConfig;
import io.switchd.dataplane.LoopContext;
import io.switchd.port.MemoryPort;
import io.switchd.sys.VirtioNetHeader;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The test topology over memory ports: every frame is forwarded synchronously on the sending thread. */
public final class MemoryFabric implements Fabric {
    private static final int STRIPES = 2;
    /** Room for the bridge to add a tag, as the real ports leave. */
    private static final int HEADROOM = 4;
    private final Map<String, Bridge> bridges = new HashMap<>();
    private final MemHost[] hosts = new MemHost[8];
    private final LoopContext ctx = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));

    public MemoryFabric() {
        Bridge br0 = new Bridge(new BridgeConfig("br0", Duration.ofMinutes(5), 4096, 0, List.of(), List.of()), STRIPES);
        Bridge br1 = new Bridge(new BridgeConfig("br1", Duration.ofMinutes(5), 1024, 0x4000, List.of(), List.of()), STRIPES);
        bridges.put("br0", br0);
        bridges.put("br1", br1);
        for (int n = 1; n <= 7; n++) {
            Bridge b = n == 4 || n == 5 ? br1 : br0;
            MemHost h = new MemHost(0x0200_0000_0000L | n, "m" + n);
            h.port = new MemoryPort(h.name, STRIPES, h);
            b.add(h.port);
            b.portsChanged();
            hosts[n] = h;
        }
    }

    @Override
    public Host host(int n) {
        return hosts[n];
    }

    @Override
    public Bridge bridge(String name) {
        return bridges.get(name);
    }

    @Override
    public void allowOversize(Host host) {
        // a memory port takes any length
    }

    @Override
    public boolean canSendRunts() {
        return true;
    }

    @Override
    public void close() {
        ctx.buffer().release();
    }

    private final class MemHost implements Host, MemoryPort.Sink {
        final long mac;
        final String name;
        final Map<Long, Integer> tokens = new ConcurrentHashMap<>();
        MemoryPort port;

        MemHost(long mac, String name) {
            this.mac = mac;
            this.name = name;
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public String port() {
            return name;
        }

        @Override
        public synchronized void send(byte[] frame) {
            ByteBuf buf = ctx.buffer();
            buf.setZero(HEADROOM, VirtioNetHeader.SIZE);
            buf.setBytes(HEADROOM + VirtioNetHeader.SIZE, frame);
            ctx.tick();
            port.inject(buf, HEADROOM, VirtioNetHeader.SIZE + frame.length, ctx);
        }

        @Override
        public void frame(ByteBuf buf, int offset, int length) {
            byte[] f = new byte[length - VirtioNetHeader.SIZE];
            buf.getBytes(offset + VirtioNetHeader.SIZE, f);
            long t = Frames.tokenOf(f);
            if (t != 0) {
                tokens.put(t, Frames.vlanOf(f));
            }
        }

        @Override
        public boolean await(long token, Duration timeout) {
            return tokens.containsKey(token);
        }

        @Override
        public int vlanOf(long token) {
            return tokens.get(token);
        }

        @Override
        public boolean received(long token) {
            return tokens.containsKey(token);
        }
    }
}

package io.switchd.overlay;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.netty.channel.epoll.Epoll;
import io.netty.util.Version;
import io.switchd.testing.EtcdServer;
import io.switchd.testing.TestDaemon;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jetcd (gRPC on Netty) and our Netty 4.2 epoll data plane on one class path: a switchd runs in
 * this JVM while jetcd puts, reads and watches a key on a real etcd. Netty's artifacts are all one
 * version (the netty-bom pins 4.2), so jetcd's gRPC runs on 4.2 too.
 */
class JetcdClasspathTest {
    @Test
    void jetcdTalksToEtcdBesideARunningDataPlane(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(EtcdServer.available() || System.getenv("SWITCHD_REQUIRE_NETNS_TESTS") != null,
                "needs etcd-server");
        assertTrue(Epoll.isAvailable(), "epoll: " + Epoll.unavailabilityCause());
        for (Version v : Version.identify().values()) {
            assertTrue(v.artifactVersion().startsWith("4.2."), "one Netty, 4.2: " + v);
        }
        try (EtcdServer etcd = EtcdServer.start(null, "127.0.0.1", dir);
             TestDaemon daemon = TestDaemon.start(dir, "br0 { ports { } }", null);
             Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
            ByteSequence key = bytes("/switchd-test/k");
            CompletableFuture<String> seen = new CompletableFuture<>();
            try (Watch.Watcher w = client.getWatchClient().watch(key, WatchOption.DEFAULT,
                    r -> seen.complete(r.getEvents().get(0).getKeyValue().getValue().toString(StandardCharsets.UTF_8)))) {
                client.getKVClient().put(key, bytes("v1")).get(10, TimeUnit.SECONDS);
                assertEquals("v1", seen.get(10, TimeUnit.SECONDS));
            }
            assertEquals("v1", client.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue()
                    .toString(StandardCharsets.UTF_8));
            assertEquals(0, daemon.switchctl("port", "list", "br0").status(), "the daemon still answers");
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}

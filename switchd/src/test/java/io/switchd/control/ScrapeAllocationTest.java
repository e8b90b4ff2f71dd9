package io.switchd.control;

import io.netty.handler.codec.http.FullHttpResponse;
import io.switchd.Switchd;
import io.switchd.config.ConfigLoader;
import io.switchd.dataplane.MonotonicClock;
import io.switchd.fdb.FdbKey;
import io.switchd.fdb.MacTable;
import io.switchd.metrics.SwitchdMetrics;
import io.switchd.testing.PrometheusText;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A /metrics scrape makes no garbage in proportion to the MAC table or to the ports: what it
 * allocates with thousands of entries exported, or a hundred ports, is what it allocates with none
 * (or one). Garbage is what sets off the young collections that pause every forwarding loop, and a
 * meter per entry made tens of megabytes of it a scrape, 30 meters per port some 150 KB a port.
 * Measured on the control thread's own path: the route, then the HTTP response built from it.
 */
class ScrapeAllocationTest {
    private static final int ENTRIES = 50_000;
    private static final int DEFAULT_CAP = 4096;
    /**
     * Far below the old costs (over 10 KB an entry at the default cap, 50 MB a scrape; 150 KB a
     * port, 15 MB for 100) and well above a run's noise.
     */
    private static final long MAX_EXTRA = 256 * 1024;

    @Test
    void aScrapeAllocatesNothingPerExportedEntry() throws Exception {
        Switchd s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, state-file = \"\", bridges.br0 {"
                + " mac-table-size = 131072, ports { zzalloc0 {}, zzalloc1 {}, zzalloc2 {}, zzalloc3 {} } } }",
                "ScrapeAllocationTest.conf"));
        try (SwitchdMetrics capped = new SwitchdMetrics(s, DEFAULT_CAP);
             SwitchdMetrics all = new SwitchdMetrics(s, 65_536)) {
            ApiRouter cappedRouter = new ApiRouter(s, capped, null);
            ApiRouter allRouter = new ApiRouter(s, all, null);
            long emptyCapped = allocatedByScrape(cappedRouter);
            long emptyAll = allocatedByScrape(allRouter);

            MacTable fdb = s.bridge("br0").fdb();
            long now = MonotonicClock.millis();
            for (int i = 0; i < ENTRIES; i++) {
                fdb.learn(FdbKey.of(i % 7, 0x0200_0000_0000L + i * 7919L), i % 4, now, 0);
            }
            assertNoGarbagePerEntry(cappedRouter, emptyCapped, DEFAULT_CAP);
            assertNoGarbagePerEntry(allRouter, emptyAll, ENTRIES);
        } finally {
            s.close();
        }
    }

    @Test
    void aScrapeAllocatesNothingPerPort() throws Exception {
        long one = allocatedWithPorts(1);
        long many = allocatedWithPorts(101);
        assertTrue(many - one < MAX_EXTRA, "a scrape of 101 ports allocated " + many + " bytes, of one port " + one
                + ": " + (many - one) / 100 + " bytes a port");
    }

    /** What a scrape allocates on a switch with {@code ports} ports (absent ones: they need no interface). */
    private static long allocatedWithPorts(int ports) throws Exception {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < ports; i++) {
            names.append("zzports").append(i).append(" {}, ");
        }
        Switchd s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, state-file = \"\", bridges.br0.ports { "
                + names + "} }", "ScrapeAllocationTest.conf"));
        try (SwitchdMetrics metrics = new SwitchdMetrics(s, DEFAULT_CAP)) {
            ApiRouter router = new ApiRouter(s, metrics, null);
            long allocated = allocatedByScrape(router);
            assertEquals(ports * 4, body(router).lines().filter(l -> l.startsWith("switchd_port_state{")).count());
            return allocated;
        } finally {
            s.close();
        }
    }

    private static void assertNoGarbagePerEntry(ApiRouter router, long empty, int exported) {
        long full = allocatedByScrape(router);
        String text = body(router);
        assertEquals(exported, PrometheusText.value(text, "switchd_fdb_entries_exported"), 0.0);
        assertEquals(exported, text.lines().filter(l -> l.startsWith("switchd_fdb_entry_age_seconds{")).count());
        assertTrue(full - empty < MAX_EXTRA, "a scrape exporting " + exported + " entries allocated " + full
                + " bytes, of an empty table " + empty + ": " + (full - empty) / exported + " bytes an entry");
    }
    /** The fewest bytes this thread allocated for one scrape, after scrapes that warm the path up. */
    private static long allocatedByScrape(ApiRouter router) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        for (int i = 0; i < 3; i++) {
            scrape(router).release();
        }
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = threads.getThreadAllocatedBytes(self);
            FullHttpResponse r = scrape(router);
            least = Math.min(least, threads.getThreadAllocatedBytes(self) - before);
            r.release();
        }
        return least;
    }

    private static FullHttpResponse scrape(ApiRouter router) {
        return HttpHandler.response(router.handle("GET", "/metrics", new byte[0], false), true);
    }

    private static String body(ApiRouter router) {
        FullHttpResponse r = scrape(router);
        try {
            assertEquals(200, r.status().code());
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }
}

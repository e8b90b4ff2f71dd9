package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.Switchd;
import io.switchd.api.Json;
import io.switchd.config.ConfigLoader;
import io.switchd.config.ControlConfig;
import io.switchd.config.MetricsConfig;
import io.switchd.metrics.SwitchdMetrics;
import io.switchd.testing.Await;
import io.switchd.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a client cannot do to the control server however it sends: oversized lines, headers and
 * bodies are answered 4xx; a request that does not arrive whole within the deadline (stalled,
 * trickled, or an idle connection) is answered 408 and closed; connections beyond the limit get
 * 503. Each time, another client is served meanwhile. The limits here are small (a 1 s deadline,
 * 4 connections) so the test need not wait long.
 *
 * <p>The server's clock for a connection starts when it accepts it: never before the client calls
 * connect(), and on a loaded machine later by any amount. So a client that starts its own clock
 * before connecting knows that a cut-off before its clock shows the deadline is too early, and that
 * a request it finished sending before then is in time. Waits for an answer are generous: they only
 * bound how long a failing test takes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlServerLimitsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final int MAX_CONNECTIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Later than this, a trickling client has not been cut off at the deadline but let through. */
    private static final Duration CUT_OFF = DEADLINE.multipliedBy(10);
    private Switchd switchd;
    private SwitchdMetrics metrics;
    private ControlServer server;
    private io.switchd.Reloader reloader;
    private Path socket;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        socket = dir.resolve("switchd.sock");
        switchd = Switchd.start(ConfigLoader.parse("switchd { threads = 1, bridges.br0 {} }", "t.conf"));
        metrics = new SwitchdMetrics(switchd, 10);
        reloader = new io.switchd.Reloader(dir.resolve("absent.conf"), switchd, null);
        server = ControlServer.start(new ApiRouter(switchd, metrics, reloader), new ControlConfig(socket.toString(), ""),
                new MetricsConfig("", 0), new ControlServer.Limits(DEADLINE, MAX_CONNECTIONS));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (reloader != null) {
            reloader.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (switchd != null) {
            switchd.close();
        }
    }

    @Test
    void aRequestLineOver4KiBIs414() throws Exception {
        assertRefused("GET /v1/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request line");
    }

    @Test
    void headersOver8KiBAre431OneBigOrManySmall() throws Exception {
        assertRefused("GET /v1/health HTTP/1.1\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n", 431, "headers");
        assertRefused("GET /v1/health HTTP/1.1\r\n" + "X-A: b\r\n".repeat(2000) + "\r\n", 431, "headers");
    }

    @Test
    void aChunkedBodyOver64KiBIs413() throws Exception {
        String chunk = Integer.toHexString(16 * 1024) + "\r\n" + "x".repeat(16 * 1024) + "\r\n";
        assertRefused("POST /v1/bridges HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk.repeat(5) + "0\r\n\r\n",
                413, "64 KiB");
    }

    @Test
    void aTooLargeBodyAnnouncedWithExpectContinueIs413AndAnUnknownExpectation417() throws Exception {
        assertRefused("POST /v1/bridges HTTP/1.1\r\nContent-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n",
                413, "64 KiB");
        assertRefused("POST /v1/bridges HTTP/1.1\r\nContent-Length: 2\r\nExpect: tea\r\n\r\n{}", 417, "100-continue");
    }

    @Test
    void aStalledRequestIs408AtTheDeadlineAndOthersAreServedMeanwhile() throws Exception {
        try (RawHttp stalled = RawHttp.connect(socket)) {
            stalled.send("POST /v1/bridges HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"na");
            assertServed();
            RawHttp.Answer a = stalled.answer(WAIT);
            assertError(a, 408, "no whole request");
            assertTrue(stalled.closedWithin(WAIT), "closed after the 408");
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffWith408AtTheDeadline() throws Exception {
        long start = System.nanoTime(); // before connecting: the server's clock cannot have started earlier
        try (RawHttp slow = RawHttp.connect(socket)) {
            slow.send("GET /v1/health HTTP/1.1\r\n");
            // a header byte every 50 ms keeps the connection busy but never finishes the request
            while (!slow.closedWithin(Duration.ofMillis(50))) {
                slow.send("X");
                assertTrue(System.nanoTime() - start < CUT_OFF.toNanos(), "still connected after " + CUT_OFF);
            }
            long cut = System.nanoTime() - start;
            assertError(slow.answer(Duration.ZERO), 408, "no whole request");
            assertTrue(cut >= DEADLINE.toNanos(), "cut off " + cut / 1_000_000 + " ms after connecting, before the "
                    + DEADLINE.toMillis() + " ms deadline");
        }
    }

    @Test
    void aRequestThatArrivesInPiecesBeforeTheDeadlineIsServed() throws Exception {
        long start = System.nanoTime(); // before connecting: the server's clock cannot have started earlier
        try (RawHttp c = RawHttp.connect(socket)) {
            for (String piece : List.of("GET /v1/health HTTP/1.1\r\n", "Host: x\r\n", "X-Slow: 1\r\n", "\r\n")) {
                c.closedWithin(Duration.ofMillis(50)); // a pause between pieces, reading what comes meanwhile
                c.send(piece);
            }
            long sent = System.nanoTime() - start;
            // not the server's fault: on a machine this slow the test cannot tell whether it serves in time
            assumeTrue(sent < DEADLINE.toNanos(), "sending took " + sent / 1_000_000 + " ms, past the deadline");
            RawHttp.Answer a = c.answer(WAIT);
            assertNotNull(a, "no answer");
            assertEquals(200, a.status(), a.headers() + "\n\n" + a.body());
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAtTheDeadline() throws Exception {
        try (RawHttp idle = RawHttp.connect(socket)) {
            long asked = System.nanoTime(); // the server's clock restarts after answering, so later than this
            idle.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, idle.answer(WAIT).status());
            assertError(idle.answer(WAIT), 408, "no whole request");
            long closed = System.nanoTime() - asked;
            assertTrue(closed >= DEADLINE.toNanos(), "closed " + closed / 1_000_000 + " ms after the request, before the "
                    + DEADLINE.toMillis() + " ms deadline");
            assertTrue(idle.closedWithin(WAIT));
        }
    }

    @Test
    void connectionsBeyondTheLimitAre503AndAFreedSlotServesAgain() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        try {
            while (held.size() < MAX_CONNECTIONS) {
                // other tests' clients have closed, but the server frees their slots when it reads
                // the close, which on a loaded machine can come after this connection
                Await.until(WAIT, "connection " + held.size() + " served (and kept open)", () -> {
                    RawHttp c = servedAndKeptOpen();
                    return c != null && held.add(c);
                });
            }
            for (int i = 0; i < 50; i++) {
                try (RawHttp extra = RawHttp.connect(socket)) {
                    assertError(extra.answer(WAIT), 503, "too many connections");
                    assertTrue(extra.closedWithin(WAIT));
                }
            }
            held.remove(0).close();
            Await.until(WAIT, "a client served once a connection closed", () -> status() == 200);
        } finally {
            for (RawHttp c : held) {
                c.close();
            }
        }
    }

    private void assertRefused(String request, int status, String message) throws Exception {
        try (RawHttp c = RawHttp.connect(socket)) {
            c.send(request);
            assertError(c.answer(WAIT), status, message);
        }
        assertServed();
    }

    /** A connection that got a 200 and stays open, or null if it was refused or not answered. */
    private RawHttp servedAndKeptOpen() {
        try {
            RawHttp c = RawHttp.connect(socket);
            c.send("GET /v1/health HTTP/1.1\r\n\r\n");
            RawHttp.Answer a = c.answer(WAIT);
            if (a != null && a.status() == 200) {
                return c;
            }
            c.close();
            return null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private void assertServed() throws Exception {
        Await.until(WAIT, "another client served", () -> status() == 200);
    }

    private int status() {
        try (RawHttp c = RawHttp.connect(socket)) {
            c.send("GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n");
            RawHttp.Answer a = c.answer(WAIT);
            return a == null ? -1 : a.status();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static void assertError(RawHttp.Answer a, int status, String message) throws Exception {
        assertNotNull(a, "no answer");
        assertEquals(status, a.status(), a.headers() + "\n\n" + a.body());
        JsonNode error = Json.mapper().readTree(a.body());
        assertTrue(error.get("error").asText().contains(message), error.toString());
    }
}

package io.switchd.dataplane;

import io.switchd.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataPlaneTest {
    /** What waits for quiescence (closing a TAP, tens of ms in the kernel) must never hold up a loop. */
    @Test
    void workAfterQuiescenceWaitsForEveryLoopAndRunsOnNoneOfThem() throws Exception {
        try (DataPlane plane = new DataPlane(2)) {
            CountDownLatch release = hold(plane, 1); // a loop still forwarding a frame
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            plane.afterQuiescence(() -> ran.complete(Thread.currentThread()));
            assertFalse(ran.isDone(), "ran while loop 1 was still busy");
            release.countDown();
            Thread thread = ran.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < plane.loopCount(); i++) {
                assertFalse(plane.loop(i).inEventLoop(thread), "ran on forwarding loop " + i);
            }
        }
    }

    /** Loops that sleep, spin after a wake-up, or never sleep all answer, and a stuck one is noticed. */
    @ParameterizedTest
    @CsvSource({"false, 0", "false, 1000000000", "true, 0"})
    void theHeartbeatFailsWhileALoopIsStuckAndRecoversAfter(boolean busyPoll, long spinNanos) throws Exception {
        try (DataPlane plane = new DataPlane(2, busyPoll, spinNanos)) {
            Await.until(Duration.ofSeconds(30), "every loop answering", () -> plane.heartbeat(200));
            CountDownLatch release = hold(plane, 1); // a loop stuck in a frame
            Await.until(Duration.ofSeconds(30), "the stuck loop noticed", () -> !plane.heartbeat(200));
            release.countDown();
            Await.until(Duration.ofSeconds(30), "the loop answering again", () -> plane.heartbeat(200));
            assertTrue(plane.heartbeat(1000));
        }
    }

    /** Keeps loop {@code i} busy until the returned latch is counted down (10 s at most). */
    private static CountDownLatch hold(DataPlane plane, int i) {
        CountDownLatch release = new CountDownLatch(1);
        plane.loop(i).execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }
}

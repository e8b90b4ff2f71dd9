package io.switchd.dataplane;

import io.switchd.testing.Await;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DataPlaneTest {
    /** Loops that sleep, spin after a wake-up, or never sleep all answer, and a stuck one is noticed. */
    @ParameterizedTest
    @CsvSource({"false, 0", "false, 1000000000", "true, 0"})
    void theHeartbeatFailsWhileALoopIsStuckAndRecoversAfter(boolean busyPoll, long spinNanos) throws Exception {
        try (DataPlane plane = new DataPlane(2, busyPoll, spinNanos)) {
            Await.until(Duration.ofSeconds(5), "every loop answering", () -> plane.heartbeat(200));
            CountDownLatch release = new CountDownLatch(1);
            plane.loop(1).execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS); // a loop stuck in a frame
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Await.until(Duration.ofSeconds(5), "the stuck loop noticed", () -> !plane.heartbeat(200));
            release.countDown();
            Await.until(Duration.ofSeconds(5), "the loop answering again", () -> plane.heartbeat(200));
            assertTrue(plane.heartbeat(1000));
        }
    }
}

package io.switchd.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A forwarding loop kept busy with a task that waits until this is closed: what hosts send
 * meanwhile piles up in the kernel's queues and rings, and is all there when the loop reads again.
 */
public final class HeldLoop implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldLoop() {}

    /** Holds {@code loop}, returning once it runs the holding task (it gives up after a minute). */
    public static HeldLoop hold(Executor loop) throws InterruptedException {
        HeldLoop h = new HeldLoop();
        CountDownLatch held = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try {
                h.release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!held.await(10, TimeUnit.SECONDS)) {
            h.close();
            fail("the forwarding loop did not take the holding task");
        }
        return h;
    }

    /** Lets the loop go on. */
    @Override
    public void close() {
        release.countDown();
    }
}

package io.switchd.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Polling with a deadline, the only way tests wait. */
public final class Await {
    private Await() {}

    /** Polls {@code condition} until it holds or {@code timeout} passes, then fails with {@code what}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** {@link #until(Duration, String, BooleanSupplier)} whose failure message is made when it fails (it can say what was seen last). */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + what.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Polls until {@code value} equals {@code expected}, failing with the last value seen. */
    public static void equals(long expected, Duration timeout, String what, LongSupplier value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long v;
        while ((v = value.getAsLong()) != expected) {
            if (System.nanoTime() > deadline) {
                assertEquals(expected, v, what + " (after " + timeout.toMillis() + " ms)");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}

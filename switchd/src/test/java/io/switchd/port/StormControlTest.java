package io.switchd.port;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The buckets' arithmetic on a clock the test moves: burst, rate, a long gap, a fraction of a frame. */
class StormControlTest {
    private static final long MS = 1_000_000;
    private final StormControl storm = new StormControl(500, 0, 0, 100);
    private long now = 1_000_000 * MS;

    /** How many frames the broadcast bucket admits, one after another at the current time. */
    private int admittedNow() {
        int n = 0;
        while (storm.admit(StormControl.BROADCAST, now)) {
            n++;
        }
        return n;
    }

    @Test
    void aFullBucketAdmitsTheBurstAndThenRefillsAtTheRate() {
        assertEquals(100, admittedNow(), "the burst");
        now += 10 * MS;
        assertEquals(5, admittedNow(), "10 ms at 500/s");
        now += 1000 * MS;
        assertEquals(100, admittedNow(), "a second refills 500, but the bucket holds 100");
    }

    @Test
    void overASecondOfFramesTheRateIsHeld() {
        admittedNow();
        int admitted = 0;
        for (int ms = 0; ms < 1000; ms++) {
            now += MS;
            for (int i = 0; i < 3; i++) { // 3,000 a second offered
                admitted += storm.admit(StormControl.BROADCAST, now) ? 1 : 0;
            }
        }
        assertEquals(500, admitted);
    }

    @Test
    void aRefillOfLessThanAFrameIsKeptNotRoundedAway() {
        admittedNow();
        now += MS; // half a frame
        assertFalse(storm.admit(StormControl.BROADCAST, now));
        now += MS; // and another half
        assertTrue(storm.admit(StormControl.BROADCAST, now));
    }

    @Test
    void aBucketWithoutARateAdmitsEverythingAndTheOthersAreApart() {
        admittedNow();
        for (int i = 0; i < 1000; i++) {
            assertTrue(storm.admit(StormControl.MULTICAST, now));
            assertTrue(storm.admit(StormControl.UNKNOWN_UNICAST, now));
        }
    }
}

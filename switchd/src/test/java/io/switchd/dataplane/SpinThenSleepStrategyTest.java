package io.switchd.dataplane;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When a loop polls and when it sleeps, on a clock the test moves by hand. With a 100 ns window a
 * yield that takes longer than 50 ns counts as another thread having wanted the CPU.
 */
class SpinThenSleepStrategyTest {
    private static final long WINDOW = 100;
    private long now = 1_000_000;
    private int ready;
    private int polls;
    private final IntSupplier selectNow = () -> {
        polls++;
        return ready;
    };
    private final SpinThenSleepStrategy spinning = new SpinThenSleepStrategy(WINDOW, () -> now);

    /** Asks the strategy {@code times} times, the clock moving {@code step} before each but the first. */
    private int ask(int times, long step) throws Exception {
        int result = spinning.calculateStrategy(selectNow, false);
        for (int i = 1; i < times; i++) {
            now += step;
            result = spinning.calculateStrategy(selectNow, false);
        }
        return result;
    }

    @Test
    void withoutSpinTheLoopSleepsUnlessTasksWait() throws Exception {
        SpinThenSleepStrategy s = new SpinThenSleepStrategy(0, () -> now);
        assertEquals(SelectStrategy.SELECT, s.calculateStrategy(selectNow, false));
        ready = 2;
        assertEquals(2, s.calculateStrategy(selectNow, true), "tasks waiting: poll, do not block");
        assertEquals(1, polls);
    }

    @Test
    void afterAWakeUpTheLoopPollsUntilTheWindowPassesWithNothingFound() throws Exception {
        assertEquals(0, ask(10, 10), "inside the window (90 ns): poll");
        assertEquals(10, polls);
        now += 10;
        assertEquals(SelectStrategy.SELECT, spinning.calculateStrategy(selectNow, false), "window over: sleep");
        assertEquals(10, polls);
    }

    @Test
    void handlingFramesRestartsTheWindowWhenItEnds() throws Exception {
        ask(9, 10);
        now += 10;
        ready = 3;
        assertEquals(3, spinning.calculateStrategy(selectNow, false), "frames found at 90 ns");
        ready = 0;
        now += 1_000; // handling them took longer than the window
        assertEquals(0, ask(10, 10), "a new window from their end: poll for 90 ns more");
        now += 10;
        assertEquals(SelectStrategy.SELECT, spinning.calculateStrategy(selectNow, false), "and then sleep");
    }

    @Test
    void aWakeUpAfterSleepingOpensANewWindow() throws Exception {
        ask(11, 10);
        now += 5_000_000; // slept for 5 ms, then woken
        assertEquals(0, spinning.calculateStrategy(selectNow, false), "woken: poll again");
    }

    @Test
    void tasksArePolledForEvenAfterTheWindow() throws Exception {
        ask(11, 10);
        ready = 1;
        assertEquals(1, spinning.calculateStrategy(selectNow, true), "a task is waiting: never block");
    }

    @Test
    void aYieldThatComesBackLateStopsTheSpinningForAWhile() throws Exception {
        ask(3, 10);
        now += 60; // another thread ran on this CPU
        assertEquals(SelectStrategy.SELECT, spinning.calculateStrategy(selectNow, false), "contended: sleep");
        now += 1_000_000;
        assertEquals(SelectStrategy.SELECT, spinning.calculateStrategy(selectNow, false),
                "woken within the back-off: sleep again at once");
        now += SpinThenSleepStrategy.BACK_OFF_NANOS;
        assertEquals(0, spinning.calculateStrategy(selectNow, false), "back-off over: spin after a wake-up");
    }

    @Test
    void frameHandlingBetweenPollsIsNotContention() throws Exception {
        ask(3, 10);
        now += 10;
        ready = 64;
        spinning.calculateStrategy(selectNow, false);
        ready = 0;
        now += 1_000;
        assertEquals(0, spinning.calculateStrategy(selectNow, false), "still spinning");
        now += 10;
        assertEquals(0, spinning.calculateStrategy(selectNow, false), "and not backing off");
    }

    @Test
    void busyPollingNeverSleeps() throws Exception {
        SpinThenSleepStrategy s = new SpinThenSleepStrategy(SpinThenSleepStrategy.FOREVER, () -> now);
        for (int i = 0; i < 1000; i++) {
            now += 1_000_000_000;
            assertEquals(0, s.calculateStrategy(selectNow, false));
        }
        assertEquals(1000, polls);
    }
}

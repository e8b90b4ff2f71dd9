package io.switchd.stp;

/**
 * The timer values a BPDU carries (802.1D-2004 17.19.21 portTimes and its kin), in whole seconds as
 * the state machines count them; BPDUs carry them in 1/256 s.
 */
public record StpTimes(int messageAge, int maxAge, int helloTime, int forwardDelay) {

    /** These times, as the next bridge down sees them: one second older (17.21.25 c). */
    public StpTimes older() {
        return new StpTimes(messageAge + 1, maxAge, helloTime, forwardDelay);
    }

    /** These times with this bridge's own hello time (17.21.25 e). */
    public StpTimes withHelloTime(int hello) {
        return new StpTimes(messageAge, maxAge, hello, forwardDelay);
    }

    /**
     * Rejects bridge times 802.1D-2004 would not let a bridge use, in the user's words: the ranges
     * of table 17-1 (hello time widened to 10 s as the Linux bridge allows) and 17.14's rule that
     * 2 x (forward delay - 1) >= max age >= 2 x (hello time + 1).
     */
    public static StpTimes bridge(int helloTime, int maxAge, int forwardDelay) {
        check("hello time", helloTime, 1, 10);
        check("max age", maxAge, 6, 40);
        check("forward delay", forwardDelay, 4, 30);
        if (maxAge > 2 * (forwardDelay - 1)) {
            throw new IllegalArgumentException("max age " + maxAge + " s is more than 2 x (forward delay "
                    + forwardDelay + " s - 1 s); 802.1D needs max-age <= 2 x (forward-delay - 1)");
        }
        if (maxAge < 2 * (helloTime + 1)) {
            throw new IllegalArgumentException("max age " + maxAge + " s is less than 2 x (hello time "
                    + helloTime + " s + 1 s); 802.1D needs max-age >= 2 x (hello-time + 1)");
        }
        return new StpTimes(0, maxAge, helloTime, forwardDelay);
    }

    private static void check(String name, int seconds, int min, int max) {
        if (seconds < min || seconds > max) {
            throw new IllegalArgumentException(name + " " + seconds + " s is not between " + min + " and " + max + " s");
        }
    }
}

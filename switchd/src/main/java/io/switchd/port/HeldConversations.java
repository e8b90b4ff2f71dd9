package io.switchd.port;

import io.switchd.frame.FlowKey;

/**
 * The conversations ({@link FlowKey}) of one port's frames that wait in its loop's
 * {@link ReadAhead}, counted: a frame read later may go ahead of them only if none of its own
 * conversation waits, and nothing whose conversation cannot be told waits. A few distinct
 * conversations are told apart (a bulk stream or two is the usual case); past that, nothing goes
 * ahead until they have left. Only the port's loop touches it.
 */
final class HeldConversations {
    private static final int DISTINCT = 8;
    private final long[] keys = new long[DISTINCT];
    private final int[] counts = new int[DISTINCT];
    /** Frames held whose conversation is not in {@link #keys}: unknown, or past {@link #DISTINCT}. */
    private int untold;
    private int held;

    /** Whether a frame of conversation {@code key}, read now, may leave before the frames held. */
    boolean mayPass(long key) {
        if (held == 0) {
            return true;
        }
        if (untold > 0 || key == FlowKey.NONE) {
            return false;
        }
        for (int i = 0; i < DISTINCT; i++) {
            if (counts[i] > 0 && keys[i] == key) {
                return false;
            }
        }
        return true;
    }

    /** A frame of {@code key} is now held. */
    void add(long key) {
        held++;
        if (key != FlowKey.NONE) {
            int free = -1;
            for (int i = 0; i < DISTINCT; i++) {
                if (counts[i] > 0 && keys[i] == key) {
                    counts[i]++;
                    return;
                }
                if (counts[i] == 0 && free < 0) {
                    free = i;
                }
            }
            if (free >= 0) {
                keys[free] = key;
                counts[free] = 1;
                return;
            }
        }
        untold++;
    }

    /** A frame of {@code key} held before has left (forwarded or dropped). */
    void remove(long key) {
        held--;
        if (key != FlowKey.NONE) {
            for (int i = 0; i < DISTINCT; i++) {
                if (counts[i] > 0 && keys[i] == key) {
                    counts[i]--;
                    return;
                }
            }
        }
        untold--;
    }

    /** How many of the port's frames are held. */
    int held() {
        return held;
    }
}

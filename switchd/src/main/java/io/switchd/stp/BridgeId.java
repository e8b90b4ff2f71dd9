package io.switchd.stp;

/**
 * An 802.1D bridge identifier held in a long (802.1D-2004 9.2.5): the top 4 bits are the bridge
 * priority in steps of 4096, the next 12 the system id extension, the low 48 the bridge's MAC
 * address. Identifiers compare as unsigned numbers, lower being better, so compare them with
 * {@link #compare}, never with {@code <}.
 */
public final class BridgeId {
    /** The default bridge priority (802.1D-2004 table 17-2). */
    public static final int DEFAULT_PRIORITY = 32768;
    public static final int PRIORITY_STEP = 4096;
    public static final int MAX_PRIORITY = 61440;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private BridgeId() {}

    /**
     * The identifier of a bridge with this priority (0 to 61440 in steps of 4096), system id
     * extension (0 to 4095) and MAC address.
     */
    public static long of(int priority, int systemIdExtension, long mac) {
        checkPriority(priority);
        if (systemIdExtension < 0 || systemIdExtension > 0xFFF) {
            throw new IllegalArgumentException("system id extension " + systemIdExtension + " is not between 0 and 4095");
        }
        return ((long) (priority | systemIdExtension) << 48) | (mac & MAC_MASK);
    }

    /** Rejects a bridge priority that 802.1D-2004 table 17-2 does not allow, in the user's words. */
    public static void checkPriority(int priority) {
        if (priority < 0 || priority > MAX_PRIORITY || priority % PRIORITY_STEP != 0) {
            throw new IllegalArgumentException("bridge priority " + priority
                    + " is not a multiple of 4096 between 0 and 61440");
        }
    }

    /** The priority and system id extension together: the 16 bits before the address. */
    public static int priority(long id) {
        return (int) (id >>> 48);
    }

    /** The bridge address (its MAC). */
    public static long mac(long id) {
        return id & MAC_MASK;
    }

    /** Orders identifiers as 802.1D does: negative when {@code a} is the better (lower) one. */
    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }

    /** Formats as the Linux bridge does in /sys/class/net/BR/bridge/bridge_id: {@code 8000.02aabbccddee}. */
    public static String format(long id) {
        return String.format("%04x.%012x", priority(id), mac(id));
    }

    /** Parses what {@link #format} writes; throws IllegalArgumentException otherwise. */
    public static long parse(String text) {
        String s = text.trim();
        if (s.length() != 17 || s.charAt(4) != '.') {
            throw new IllegalArgumentException("not a bridge id like 8000.02aabbccddee: \"" + text + "\"");
        }
        try {
            long priority = Long.parseLong(s.substring(0, 4), 16);
            long mac = Long.parseLong(s.substring(5), 16);
            return (priority << 48) | mac;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a bridge id like 8000.02aabbccddee: \"" + text + "\"");
        }
    }
}

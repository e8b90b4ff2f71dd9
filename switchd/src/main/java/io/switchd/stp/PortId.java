package io.switchd.stp;

/**
 * An 802.1D-2004 port identifier (9.2.7) in an int: the top 4 of its 16 bits are the port priority
 * in steps of 16, the low 12 the port number (1 to 4095).
 */
public final class PortId {
    /** The default port priority (802.1D-2004 table 17-2). */
    public static final int DEFAULT_PRIORITY = 128;
    public static final int PRIORITY_STEP = 16;
    public static final int MAX_PRIORITY = 240;
    public static final int MAX_NUMBER = 0xFFF;

    private PortId() {}

    /** The identifier of port {@code number} (1 to 4095) with this priority (0 to 240 in steps of 16). */
    public static int of(int priority, int number) {
        checkPriority(priority);
        checkNumber(number);
        return (priority << 8) | number;
    }

    /** Rejects a port priority that 802.1D-2004 table 17-2 does not allow, in the user's words. */
    public static void checkPriority(int priority) {
        if (priority < 0 || priority > MAX_PRIORITY || priority % PRIORITY_STEP != 0) {
            throw new IllegalArgumentException("port priority " + priority
                    + " is not a multiple of 16 between 0 and 240");
        }
    }

    /** Rejects a port number that does not fit the identifier's 12 bits. */
    public static void checkNumber(int number) {
        if (number < 1 || number > MAX_NUMBER) {
            throw new IllegalArgumentException("port number " + number + " is not between 1 and 4095");
        }
    }

    /** The port number part. */
    public static int number(int id) {
        return id & MAX_NUMBER;
    }

    /** The port priority part (0 to 240). */
    public static int priority(int id) {
        return (id >>> 8) & 0xF0;
    }

    /** Four hex digits, as the Linux bridge writes port_id without its 0x: {@code 8001}. */
    public static String format(int id) {
        return String.format("%04x", id & 0xFFFF);
    }
}

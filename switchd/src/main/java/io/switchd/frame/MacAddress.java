package io.switchd.frame;

import java.nio.charset.StandardCharsets;

/** A 48-bit MAC address held in the low bits of a long, as the data path carries it. */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final long GROUP_BIT = 0x0100_0000_0000L;
    /** 01:80:C2:00:00:00, the first IEEE 802.1D link-local group address; the last is ...:0F. */
    public static final long LINK_LOCAL_BASE = 0x0180_C200_0000L;
    /** The length of an address's text, "aa:bb:cc:dd:ee:ff". */
    public static final int TEXT_LENGTH = 17;

    private MacAddress() {}

    /** Whether the address is a group (multicast or broadcast) address. */
    public static boolean isGroup(long mac) {
        return (mac & GROUP_BIT) != 0;
    }

    /** Whether the address is one of 01:80:C2:00:00:00 to 0F, which bridges do not forward. */
    public static boolean isLinkLocal(long mac) {
        return (mac & ~0xFL) == LINK_LOCAL_BASE;
    }

    /** Parses "aa:bb:cc:dd:ee:ff" (or with dashes); throws IllegalArgumentException otherwise. */
    public static long parse(String text) {
        String s = text.trim();
        if (s.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int at = i * 3;
            if (i > 0) {
                char sep = s.charAt(at - 1);
                if (sep != ':' && sep != '-') {
                    throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
                }
            }
            int hi = Character.digit(s.charAt(at), 16);
            int lo = Character.digit(s.charAt(at + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            mac = (mac << 8) | (hi << 4) | lo;
        }
        return mac;
    }

    /** Formats as lower-case "aa:bb:cc:dd:ee:ff", as iproute2 prints addresses. */
    public static String format(long mac) {
        // by hand, not String.format: an fdb listing formats up to 100,000 addresses a page
        byte[] out = new byte[TEXT_LENGTH];
        format(mac, out, 0);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** Writes {@code mac} as {@link #format(long)} does, as ASCII into {@code out} at {@code at}: 17 bytes. */
    public static void format(long mac, byte[] out, int at) {
        for (int i = 0; i < 6; i++) {
            int b = (int) (mac >>> ((5 - i) * 8)) & 0xFF;
            out[at + i * 3] = HEX[b >>> 4];
            out[at + i * 3 + 1] = HEX[b & 0xF];
            if (i < 5) {
                out[at + i * 3 + 2] = ':';
            }
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
}

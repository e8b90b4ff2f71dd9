package io.switchd.metrics;

import io.switchd.frame.MacAddress;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Prometheus text exposition written as UTF-8 through one reused buffer onto a stream, allocating
 * nothing per value: a scrape writes a line per exported MAC table entry, and garbage in
 * proportion to the table is what made scrapes pause the forwarding loops. Values come out as the
 * Prometheus client library writes them (its escaping, Java's {@code Double.toString}), so the
 * lines read as they did when Micrometer wrote them.
 */
final class ExpositionWriter {
    /** The most bytes one char takes: a surrogate pair's 4 UTF-8 bytes, written at its first half. */
    private static final int MAX_CHAR_BYTES = 4;
    /** Java writes doubles from 10^7 on in scientific notation. */
    private static final long PLAIN_BELOW = 10_000_000L;
    /** Every whole number below 2^53 is exactly a double. */
    private static final long EXACT_DOUBLES = 1L << 53;
    /** Whole seconds from here on are written in Java's scientific notation ("1.0E7"). */
    private static final long SCIENTIFIC_MILLIS = PLAIN_BELOW * 1000;

    private final byte[] buf = new byte[8192];
    private int len;
    private OutputStream out;

    /** Starts writing to {@code target}; {@link #finish} hands over what is still buffered. */
    void start(OutputStream target) {
        this.out = target;
        this.len = 0;
    }

    /** Writes out what is buffered and lets go of the stream. */
    void finish() throws IOException {
        drain();
        out = null;
    }

    /** Text the caller knows to be plain ASCII with nothing to escape: names, HELP text, punctuation. */
    ExpositionWriter ascii(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            room(1);
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** One byte of ASCII. */
    ExpositionWriter ascii(char c) throws IOException {
        room(1);
        buf[len++] = (byte) c;
        return this;
    }

    /**
     * A label value, escaped as the text format wants ({@code \\}, {@code \"}, {@code \n}), in
     * UTF-8; a lone surrogate becomes '?', as Java's UTF-8 encoder writes it.
     */
    ExpositionWriter labelValue(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            room(MAX_CHAR_BYTES);
            char c = s.charAt(i);
            if (c == '\\' || c == '"') {
                buf[len++] = '\\';
                buf[len++] = (byte) c;
            } else if (c == '\n') {
                buf[len++] = '\\';
                buf[len++] = 'n';
            } else if (c < 0x80) {
                buf[len++] = (byte) c;
            } else if (c < 0x800) {
                buf[len++] = (byte) (0xC0 | c >> 6);
                buf[len++] = (byte) (0x80 | c & 0x3F);
            } else if (!Character.isSurrogate(c)) {
                buf[len++] = (byte) (0xE0 | c >> 12);
                buf[len++] = (byte) (0x80 | c >> 6 & 0x3F);
                buf[len++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[len++] = (byte) (0xF0 | cp >> 18);
                buf[len++] = (byte) (0x80 | cp >> 12 & 0x3F);
                buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
                buf[len++] = (byte) (0x80 | cp & 0x3F);
            } else {
                buf[len++] = '?';
            }
        }
        return this;
    }

    /** A whole number in decimal, as {@code Long.toString} writes it. */
    ExpositionWriter decimal(long v) throws IOException {
        room(20);
        if (v < 0) {
            buf[len++] = '-';
            if (v == Long.MIN_VALUE) {
                return ascii("9223372036854775808");
            }
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        for (int i = len + digits - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += digits;
        return this;
    }

    /**
     * A count as the client library writes a counter's value, {@code Double.toString((double) v)}:
     * "0.0", "9999999.0", then "1.0E7", "1.2345678E7". Exact for counts below 2^53; a count past
     * that (petabytes) is left to Java.
     */
    ExpositionWriter count(long v) throws IOException {
        if (v < 0 || v >= EXACT_DOUBLES) {
            return ascii(Double.toString((double) v));
        }
        if (v < PLAIN_BELOW) {
            return decimal(v).ascii(".0");
        }
        int digits = 1;
        long scale = 1;
        while (v / scale >= 10) {
            scale *= 10;
            digits++;
        }
        room(24);
        buf[len++] = (byte) ('0' + v / scale);
        buf[len++] = '.';
        long rest = v % scale;
        if (rest == 0) {
            buf[len++] = '0';
        }
        for (scale /= 10; rest != 0; scale /= 10) { // the digits up to the last non-zero one
            buf[len++] = (byte) ('0' + rest / scale);
            rest %= scale;
        }
        buf[len++] = 'E';
        return decimal(digits - 1);
    }

    /** A MAC address as {@link MacAddress#format(long)} writes it: lower-case "aa:bb:cc:dd:ee:ff". */
    ExpositionWriter mac(long mac) throws IOException {
        room(MacAddress.TEXT_LENGTH);
        MacAddress.format(mac, buf, len);
        len += MacAddress.TEXT_LENGTH;
        return this;
    }

    /**
     * {@code millis} as seconds, written as {@code Double.toString(millis / 1000.0)} writes them
     * ("0.0", "12.5", "300.25"). Past 10^7 seconds (115 days; only a bridge with a longer ageing
     * time has such ages) Java switches to scientific notation, and that rare case is left to it.
     */
    ExpositionWriter seconds(long millis) throws IOException {
        if (millis <= -SCIENTIFIC_MILLIS || millis >= SCIENTIFIC_MILLIS) {
            return ascii(Double.toString(millis / 1000.0));
        }
        if (millis < 0) {
            ascii('-');
            millis = -millis;
        }
        decimal(millis / 1000);
        room(4);
        buf[len++] = '.';
        int fraction = (int) (millis % 1000);
        if (fraction == 0) {
            buf[len++] = '0';
            return this;
        }
        for (int unit = 100; fraction != 0; unit /= 10) { // the digits up to the last non-zero one
            buf[len++] = (byte) ('0' + fraction / unit);
            fraction %= unit;
        }
        return this;
    }

    private void room(int bytes) throws IOException {
        if (len + bytes > buf.length) {
            drain();
        }
    }

    private void drain() throws IOException {
        out.write(buf, 0, len);
        len = 0;
    }
}

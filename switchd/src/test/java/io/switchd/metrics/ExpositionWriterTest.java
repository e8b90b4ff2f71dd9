package io.switchd.metrics;

import io.switchd.frame.MacAddress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the writer writes is what the Prometheus client library and Java's own formatting wrote. */
class ExpositionWriterTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ExpositionWriter w = new ExpositionWriter();

    @Test
    void secondsAreWrittenAsDoubleToStringWritesThem() throws IOException {
        for (long ms = -10_000; ms <= 2_000_000; ms++) { // every millisecond of the first half hour
            assertSeconds(ms);
        }
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) { // up to a year and more, past where Java turns to "1.0E7"
            assertSeconds(random.nextLong(-40_000_000_000L, 40_000_000_000L));
        }
        for (long edge : new long[] {9_999_999_999L, 10_000_000_000L, 10_000_000_001L, -9_999_999_999L,
            -10_000_000_000L, 999, 1000, 1001, 1, -1}) {
            assertSeconds(edge);
        }
    }

    private void assertSeconds(long ms) throws IOException {
        out.reset();
        w.start(out);
        w.seconds(ms);
        w.finish();
        assertEquals(Double.toString(ms / 1000.0), out.toString(StandardCharsets.US_ASCII), ms + " ms");
    }

    @Test
    void countsAreWrittenAsDoubleToStringWritesThem() throws IOException {
        for (long v = 0; v <= 200_000; v++) {
            assertCount(v);
        }
        for (long v = 9_999_000; v <= 10_001_000; v++) { // where Java turns to "1.0E7"
            assertCount(v);
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 300_000; i++) {
            int bits = random.nextInt(1, 64);
            assertCount(random.nextLong(1L << (bits - 1), bits == 63 ? Long.MAX_VALUE : 1L << bits));
            assertCount(random.nextLong(1, 100_000) * (long) Math.pow(10, random.nextInt(0, 14))); // round ones
        }
        for (long edge : new long[] {(1L << 53) - 1, 1L << 53, (1L << 53) + 1, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
            assertCount(edge);
        }
    }

    private void assertCount(long v) throws IOException {
        assertEquals(Double.toString((double) v), written(() -> w.count(v)), v + "");
    }

    @Test
    void wholeNumbersAndMacsAreWrittenAsJavaWritesThem() throws IOException {
        long[] values = {0, 1, 9, 10, 4094, 4095, -1, -10, Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000_007};
        for (long v : values) {
            assertEquals(Long.toString(v), written(() -> w.decimal(v)));
        }
        long[] macs = {0, 0x0200_0000_0001L, 0xFFFF_FFFF_FFFFL, 0x0A0B_0C0D_0E0FL, 0xF0E1_D2C3_B4A5L};
        for (long mac : macs) {
            assertEquals(MacAddress.format(mac), written(() -> w.mac(mac)));
        }
    }

    @Test
    void labelValuesAreEscapedAndInUtf8() throws IOException {
        String[] values = {"", "tap0", "a\"b", "a\\b", "a\nb", "\\\"\n", "naïve", "日本", "\uD83D\uDE00", "x\u0080\u07FF\u0800\uFFFF"};
        for (String v : values) {
            String escaped = v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
            assertArrayEquals(escaped.getBytes(StandardCharsets.UTF_8), bytes(() -> w.labelValue(v)), v);
        }
        // a lone surrogate is no character: '?' as Java's UTF-8 encoder writes it
        assertEquals("a?b?", written(() -> w.labelValue("a\uD83Db\uDE00")));
    }

    @Test
    void textLongerThanTheBufferArrivesWhole() throws IOException {
        String name = "p".repeat(5000) + "日".repeat(5000);
        byte[] got = bytes(() -> {
            for (int i = 0; i < 10; i++) {
                w.labelValue(name).ascii('\n');
            }
        });
        assertArrayEquals((name + "\n").repeat(10).getBytes(StandardCharsets.UTF_8), got);
    }

    @Test
    void textOrderComparesNumbersAsTheirDecimalText() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            int a = i < 40_000 ? i / 200 : random.nextInt(4096);
            int b = i < 40_000 ? i % 200 : random.nextInt(4096);
            assertEquals(Integer.signum(Integer.toString(a).compareTo(Integer.toString(b))),
                    Integer.signum(FdbEntryAges.compareAsText(a, b)), a + " vs " + b);
        }
    }

    private interface Writes {
        void run() throws IOException;
    }

    private byte[] bytes(Writes writes) throws IOException {
        out.reset();
        w.start(out);
        writes.run();
        w.finish();
        return out.toByteArray();
    }

    private String written(Writes writes) throws IOException {
        return new String(bytes(writes), StandardCharsets.UTF_8);
    }
}

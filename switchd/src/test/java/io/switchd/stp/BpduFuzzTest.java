package io.switchd.stp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing (Jazzer) of the BPDU parser, which reads what any host on a port sends:
 * it never throws, it calls a frame valid only if the frame has a BPDU's address and LLC header,
 * and what it calls valid it writes back out so that it reads the same again. Half the inputs
 * are BPDUs built from fuzzed fields with a few bytes changed, so the fuzzer gets past the header
 * checks to the timer and length rules; the other half are raw bytes.
 */
class BpduFuzzTest {
    private static final int ROOM = 1600;
    private static final ByteBuf IN = Unpooled.buffer(ROOM + 64);
    private static final ByteBuf OUT = Unpooled.buffer(128);
    private static final Bpdu BPDU = new Bpdu();
    private static final Bpdu AGAIN = new Bpdu();

    @FuzzTest(maxDuration = "10s")
    void validBpdusReadBackTheSameAndNothingThrows(FuzzedDataProvider data) {
        int offset = data.consumeInt(0, 63);
        byte[] frame = data.consumeBoolean() ? built(data) : data.consumeBytes(ROOM);
        IN.setBytes(offset, frame);
        BpduStatus status = BPDU.decode(IN, offset, frame.length);
        if (status != BpduStatus.VALID) {
            return;
        }
        String hex = ByteBufUtil.hexDump(frame);
        expect(frame.length >= 21 && IN.getUnsignedMedium(offset) == 0x0180C2 && IN.getUnsignedMedium(offset + 3) == 0
                && IN.getUnsignedMedium(offset + 14) == 0x424203, "valid without a BPDU's header: " + hex);
        int length = BPDU.encode(OUT, 0, 0x0200_0000_0001L);
        expect(AGAIN.decode(OUT, 0, length) == BpduStatus.VALID, "written back, it no longer reads: " + hex);
        expect(AGAIN.type() == BPDU.type() && AGAIN.version() == BPDU.version() && AGAIN.flags() == BPDU.flags()
                && AGAIN.vector().equals(BPDU.vector()) && AGAIN.times().equals(BPDU.times())
                && AGAIN.messageAge() == BPDU.messageAge() && AGAIN.maxAge() == BPDU.maxAge()
                && AGAIN.helloTime() == BPDU.helloTime() && AGAIN.forwardDelay() == BPDU.forwardDelay(),
                "read " + BPDU + ", wrote and read back " + AGAIN + " from " + hex);
    }

    /** A BPDU of a fuzzed type and fields, with up to four bytes changed and maybe cut short. */
    private static byte[] built(FuzzedDataProvider data) {
        Bpdu bpdu = new Bpdu();
        BpduType type = data.pickValue(BpduType.values());
        if (type == BpduType.TCN) {
            bpdu.tcn();
        } else {
            PriorityVector vector = new PriorityVector(data.consumeLong(), data.consumeLong(0, 0xFFFF_FFFFL),
                    data.consumeLong(), data.consumeInt(0, 0xFFFF));
            StpTimes times = new StpTimes(data.consumeInt(0, 255), data.consumeInt(0, 255), data.consumeInt(0, 255),
                    data.consumeInt(0, 255));
            bpdu.of(type, data.consumeInt(0, 255), vector, times);
        }
        int length = bpdu.encode(OUT, 0, data.consumeLong());
        byte[] frame = new byte[data.consumeInt(0, length)];
        OUT.getBytes(0, frame);
        for (int i = data.consumeInt(0, 4); i > 0 && frame.length > 0; i--) {
            frame[data.consumeInt(0, frame.length - 1)] = data.consumeByte();
        }
        return frame;
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}

package io.switchd.bridge;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchd.dataplane.FrameForm;
import io.switchd.dataplane.LoopContext;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.switchd.bridge.FuzzedBridge.expect;

/**
 * Coverage-guided fuzzing of the frame path (Jazzer): Ethernet and virtio-net header reading, the
 * tag edits and the forwarding decision, over a bridge of memory ports whose VLAN modes and
 * policies the fuzzer picks, changes and takes up and down between frames, with port mirrors it
 * sets up and removes between frames. {@link FuzzedBridge}
 * checks every frame. `mvn test` replays the inputs under src/test/resources (seeds and past
 * findings) and then fuzzes for a few seconds; benchmarks/FUZZING.md has the long run.
 */
class ForwardingFuzzTest {
    private static final LoopContext CTX = new LoopContext(0, Unpooled.directBuffer(LoopContext.BUFFER_SIZE));

    @FuzzTest(maxDuration = "10s")
    void framesGoWhereTheModelSaysOrAreCountedUnderOneDropReason(FuzzedDataProvider data) {
        FuzzedBridge bridge = FuzzedBridge.build(data, CTX);
        for (int step = 0; step < 64 && data.remainingBytes() > 0; step++) {
            // one byte as before: 0 to 249 pick what they always did (a kept seed replays as it did
            // unless an operation byte of it is 250 or more), the rest change the mirrors
            int op = data.consumeInt(0, 255);
            if (op >= 250) {
                bridge.changeMirrors(data);
                continue;
            }
            switch (op % 10) {
                case 0:
                    bridge.changeState(data);
                    break;
                case 1:
                    bridge.changePolicy(data);
                    break;
                case 2:
                    bridge.age();
                    break;
                case 3:
                    tagEditsRoundTrip(data);
                    break;
                default:
                    bridge.send(data);
            }
        }
    }

    /**
     * Adding a tag to a frame and taking it off again gives back the same bytes, virtio-net header
     * included, and the tagged form is the frame with the tag after its addresses.
     */
    private static void tagEditsRoundTrip(FuzzedDataProvider data) {
        byte[] frame = data.consumeBytes(data.consumeInt(22, 96));
        if (frame.length < 22) {
            return;
        }
        // hdr_len is 0 or a length inside the frame, as the kernel writes it (FuzzedBridge.plausible)
        int hdrLen = data.consumeBoolean() ? 0 : data.consumeInt(14, 1514);
        frame[2] = (byte) hdrLen;
        frame[3] = (byte) (hdrLen >>> 8);
        int tpid = data.pickValue(new int[] {0x8100, 0x88A8});
        int tci = data.consumeShort() & 0xFFFF;
        ByteBuf buf = CTX.buffer();
        int offset = 4 + data.consumeInt(0, 64);
        buf.setBytes(offset, frame);
        FrameForm form = CTX.form();
        form.reset(buf, offset, frame.length, false, 0);
        form.tagged(tpid, tci);
        byte[] tagged = bytes(form);
        byte[] want = ByteBuffer.allocate(frame.length + 4).put(frame, 0, 22).putShort((short) tpid)
                .putShort((short) tci).put(frame, 22, frame.length - 22).array();
        int delta = 4;
        if ((frame[0] & 1) != 0) {
            int csumStart = (frame[6] & 0xFF | (frame[7] & 0xFF) << 8) + delta;
            want[6] = (byte) csumStart;
            want[7] = (byte) (csumStart >>> 8);
        }
        if (hdrLen != 0) {
            want[2] = (byte) (hdrLen + delta);
            want[3] = (byte) ((hdrLen + delta) >>> 8);
        }
        expect(Arrays.equals(tagged, want), "tagged form " + hex(tagged) + ", expected " + hex(want));
        form.untagged();
        expect(Arrays.equals(bytes(form), frame), "untagged again " + hex(bytes(form)) + ", was " + hex(frame));
        // and from the tagged side: off, then on with the same tag
        buf.setBytes(offset, tagged);
        form.reset(buf, offset, tagged.length, true, tci);
        form.untagged();
        form.tagged(tpid, tci);
        expect(Arrays.equals(bytes(form), tagged), "tagged again " + hex(bytes(form)) + ", was " + hex(tagged));
    }

    private static byte[] bytes(FrameForm form) {
        byte[] b = new byte[form.length()];
        form.buffer().getBytes(form.offset(), b);
        return b;
    }

    private static String hex(byte[] b) {
        return io.netty.buffer.ByteBufUtil.hexDump(b);
    }
}

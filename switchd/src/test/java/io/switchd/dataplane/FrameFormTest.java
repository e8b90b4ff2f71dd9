package io.switchd.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tag edits egress ports ask for, one after the other on the same frame, as a flood makes them. */
class FrameFormTest {
    private static final String VNET = "00000000000000000000";
    private static final String ADDRESSES = "ffffffffffff" + "020000000001";

    @Test
    void aTagTakenOffAndPutBackKeepsTheFramesOwnTpid() {
        // found by ForwardingFuzzTest: an 802.1ad frame flooded to an access port, then to a trunk,
        // left the trunk with an 802.1Q tag, and to another trunk first with its 802.1ad tag
        ByteBuf buf = Unpooled.buffer(64);
        String tagged = VNET + ADDRESSES + "88a8" + "e00a" + "0800" + "cafe";
        buf.writeZero(4).writeBytes(ByteBufUtil.decodeHexDump(tagged));
        FrameForm form = new FrameForm();
        form.reset(buf, 4, tagged.length() / 2, true, 0xE00A);
        form.untagged();
        assertEquals(VNET + ADDRESSES + "0800" + "cafe", hex(form));
        form.tagged(0xE00A);
        assertEquals(tagged, hex(form));
    }

    @Test
    void anUntaggedFrameGetsAn8021QTag() {
        ByteBuf buf = Unpooled.buffer(64);
        String untagged = VNET + ADDRESSES + "0800" + "cafe";
        buf.writeZero(4).writeBytes(ByteBufUtil.decodeHexDump(untagged));
        FrameForm form = new FrameForm();
        form.reset(buf, 4, untagged.length() / 2, false, 0);
        form.tagged(0x000A);
        assertEquals(VNET + ADDRESSES + "8100" + "000a" + "0800" + "cafe", hex(form));
    }

    private static String hex(FrameForm form) {
        return ByteBufUtil.hexDump(form.buffer(), form.offset(), form.length());
    }
}

package io.switchd.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitVirtqueueTest {
    private static final long VERSION_1 = 1L << SplitVirtqueue.F_VERSION_1;
    private static final long MRG = 1L << SplitVirtqueue.F_MRG_RXBUF;
    private static final long EVENT_IDX = 1L << SplitVirtqueue.F_EVENT_IDX;
    private static final int CAPACITY = 10 + 65535 + 18;

    private final TestVirtioDriver driver = new TestVirtioDriver(256, 1 << 20);
    private final ByteBuf dst = Unpooled.directBuffer(CAPACITY);
    private final ByteBuf src = Unpooled.directBuffer(CAPACITY);
    private final SplitVirtqueue queue = new SplitVirtqueue();

    @AfterEach
    void release() {
        driver.close();
        dst.release();
        src.release();
    }

    private void start(long features) {
        queue.features(features);
        assertEquals(0, queue.start(driver.memory(), driver.num(), driver.address(1), 0));
    }

    /** A 12-byte guest header with recognisable fields and num_buffers garbage, then the frame. */
    private static byte[] guestFrame(int frameLength, int headerLength) {
        byte[] bytes = new byte[headerLength + frameLength];
        for (int i = 0; i < headerLength; i++) {
            bytes[i] = (byte) (0xA0 + i);
        }
        for (int i = 0; i < frameLength; i++) {
            bytes[headerLength + i] = (byte) (i * 7 + 1);
        }
        return bytes;
    }

    /** What pop must write for it: the first 10 header bytes, then the frame. */
    private static byte[] internalForm(byte[] guest, int headerLength) {
        byte[] out = new byte[10 + guest.length - headerLength];
        System.arraycopy(guest, 0, out, 0, 10);
        System.arraycopy(guest, headerLength, out, 10, guest.length - headerLength);
        return out;
    }

    private byte[] popped(int length) {
        byte[] bytes = new byte[length];
        dst.getBytes(0, bytes);
        return bytes;
    }

    private int pop() {
        return queue.pop(dst.memoryAddress(), CAPACITY);
    }

    private void assertError(GuestError expected, int result) {
        assertTrue(GuestError.isError(result), "expected " + expected + ", got " + result);
        assertEquals(expected, GuestError.of(result));
    }

    private void assertUsed(int id, int len) {
        int[] used = driver.nextUsed();
        assertTrue(used != null, "no used entry for " + id);
        assertEquals(id, used[0], "used id");
        assertEquals(len, used[1], "used len");
    }

    // ---- transmit (guest to switch) ----

    @Test
    void popsASingleDescriptorFrameInSwitchdsForm() {
        start(VERSION_1);
        byte[] guest = guestFrame(60, 12);
        int head = driver.transmit(guest);
        assertEquals(70, pop());
        assertArrayEquals(internalForm(guest, 12), popped(70));
        assertEquals(0, pop(), "nothing more available");
        assertTrue(queue.flush(), "the first flush calls");
        assertUsed(head, 0);
        assertNull(driver.nextUsed());
    }

    @Test
    void popsAChainCutInsideTheHeaderAndTheFrame() {
        start(VERSION_1);
        byte[] guest = guestFrame(1500, 12);
        int head = driver.transmit(guest, 5, 6, 0, 3, 700);
        assertEquals(1510, pop());
        assertArrayEquals(internalForm(guest, 12), popped(1510));
        queue.flush();
        assertUsed(head, 0);
    }

    @Test
    void popsWithATenByteHeaderWhenVersion1IsNotNegotiated() {
        start(0);
        assertEquals(10, queue.headerLength());
        byte[] guest = guestFrame(64, 10);
        driver.transmit(guest, 4);
        assertEquals(74, pop());
        assertArrayEquals(guest, popped(74));
    }

    @Test
    void popsAnIndirectChain() {
        start(VERSION_1);
        byte[] guest = guestFrame(200, 12);
        long table = driver.allocate(3 * 16);
        int[] cuts = {0, 12, 100, guest.length};
        for (int i = 0; i < 3; i++) {
            long gpa = driver.allocate(cuts[i + 1] - cuts[i]);
            driver.write(gpa, Arrays.copyOfRange(guest, cuts[i], cuts[i + 1]));
            driver.writeDescriptorAt(table, i, gpa, cuts[i + 1] - cuts[i], i < 2 ? DescriptorChain.F_NEXT : 0, i + 1);
        }
        int head = driver.takeDescriptor();
        driver.writeDescriptor(head, table, 3 * 16, DescriptorChain.F_INDIRECT, 0);
        driver.makeAvailable(head);
        assertEquals(210, pop());
        assertArrayEquals(internalForm(guest, 12), popped(210));
        queue.flush();
        assertUsed(head, 0);
    }

    @Test
    void skipsWritableBuffersAtTheEndOfATransmitChain() {
        start(VERSION_1);
        byte[] guest = guestFrame(60, 12);
        int head = driver.transmit(guest);
        int tail = driver.takeDescriptor();
        driver.writeDescriptor(tail, driver.allocate(64), 64, DescriptorChain.F_WRITE, 0);
        driver.link(head, tail);
        assertEquals(70, pop());
        assertArrayEquals(internalForm(guest, 12), popped(70));
    }

    @Test
    void indicesWrapAroundAt65536() {
        driver.setAvailIndex(65530);
        driver.setUsedIndex(65530);
        queue.features(VERSION_1);
        assertEquals(0, queue.start(driver.memory(), driver.num(), driver.address(1), 65530));
        for (int round = 0; round < 20; round++) {
            byte[] guest = guestFrame(60 + round, 12);
            int head = driver.transmit(guest);
            assertEquals(70 + round, pop(), "round " + round);
            assertArrayEquals(internalForm(guest, 12), popped(70 + round));
            queue.flush();
            assertUsed(head, 0);
            driver.resetBuffers();
        }
        assertEquals((65530 + 20) & 0xFFFF, driver.usedIndex());
        assertEquals((65530 + 20) & 0xFFFF, queue.nextAvailIndex());
    }

    @Test
    void startsFromTheUsedIndexWhenBaseDisagrees() {
        driver.setUsedIndex(7);
        driver.setAvailIndex(7);
        queue.features(VERSION_1);
        assertEquals(0, queue.start(driver.memory(), driver.num(), driver.address(1), 3));
        assertEquals(7, queue.nextAvailIndex());
        assertEquals(0, queue.available());
    }

    @Test
    void publishesUsedEntriesOnlyOnFlush() {
        start(VERSION_1);
        int first = driver.transmit(guestFrame(60, 12));
        int second = driver.transmit(guestFrame(60, 12));
        assertEquals(70, pop());
        assertEquals(70, pop());
        assertEquals(0, driver.usedIndex(), "nothing published before flush");
        queue.flush();
        assertEquals(2, driver.usedIndex());
        assertUsed(first, 0);
        assertUsed(second, 0);
        assertFalse(queue.flush(), "nothing new to publish, nothing to call");
    }

    // ---- receive (switch to guest) ----

    private int push(byte[] internal) {
        src.setBytes(0, internal);
        return queue.push(src.memoryAddress(), internal.length);
    }

    /** switchd's form of a frame: a 10-byte header with recognisable bytes, then the frame. */
    private static byte[] internalFrame(int frameLength) {
        byte[] bytes = new byte[10 + frameLength];
        for (int i = 0; i < 10; i++) {
            bytes[i] = (byte) (0x30 + i);
        }
        for (int i = 0; i < frameLength; i++) {
            bytes[10 + i] = (byte) (i * 13 + 5);
        }
        return bytes;
    }

    /** What the guest must read: the 10 header bytes, num_buffers, the frame. */
    private static byte[] guestForm(byte[] internal, int numBuffers) {
        byte[] out = new byte[internal.length + 2];
        System.arraycopy(internal, 0, out, 0, 10);
        out[10] = (byte) numBuffers;
        out[11] = (byte) (numBuffers >>> 8);
        System.arraycopy(internal, 10, out, 12, internal.length - 10);
        return out;
    }

    @Test
    void pushesAFrameIntoOneChain() {
        start(VERSION_1);
        int head = driver.postReceive(2048);
        byte[] internal = internalFrame(100);
        assertEquals(112, push(internal));
        assertTrue(queue.flush());
        assertUsed(head, 112);
        assertArrayEquals(guestForm(internal, 1), driver.received(head, 112));
    }

    @Test
    void pushesWithATenByteHeaderWhenNeitherVersion1NorMergeable() {
        start(0);
        int head = driver.postReceive(2048);
        byte[] internal = internalFrame(100);
        assertEquals(110, push(internal));
        queue.flush();
        assertUsed(head, 110);
        assertArrayEquals(internal, driver.received(head, 110));
    }

    @Test
    void spreadsAFrameOverSeveralChainsWithMergeableBuffers() {
        start(VERSION_1 | MRG);
        int a = driver.postReceive(100);
        int b = driver.postReceive(60, 40);
        int c = driver.postReceive(100);
        byte[] internal = internalFrame(250);
        assertEquals(262, push(internal));
        queue.flush();
        assertUsed(a, 100);
        assertUsed(b, 100);
        assertUsed(c, 62);
        byte[] expected = guestForm(internal, 3);
        byte[] got = new byte[262];
        System.arraycopy(driver.received(a, 100), 0, got, 0, 100);
        System.arraycopy(driver.received(b, 100), 0, got, 100, 100);
        System.arraycopy(driver.received(c, 62), 0, got, 200, 62);
        assertArrayEquals(expected, got);
    }

    @Test
    void writesNumBuffersSplitAcrossTwoDescriptors() {
        start(VERSION_1 | MRG);
        int a = driver.postReceive(11, 20);
        int b = driver.postReceive(100);
        byte[] internal = internalFrame(40);
        assertEquals(52, push(internal));
        queue.flush();
        assertUsed(a, 31);
        assertUsed(b, 21);
        byte[] got = new byte[52];
        System.arraycopy(driver.received(a, 31), 0, got, 0, 31);
        System.arraycopy(driver.received(b, 21), 0, got, 31, 21);
        assertArrayEquals(guestForm(internal, 2), got);
    }

    @Test
    void aFrameTooBigForTheChainWithoutMergeableIsNoBuffersAndTakesNothing() {
        start(VERSION_1);
        int head = driver.postReceive(100);
        driver.postReceive(100);
        assertEquals(SplitVirtqueue.NO_BUFFERS, push(internalFrame(150)), "two chains would hold it, one may not");
        assertEquals(2, queue.available(), "the chains stay available");
        assertFalse(queue.flush());
        byte[] small = internalFrame(50);
        assertEquals(62, push(small));
        queue.flush();
        assertUsed(head, 62);
        assertArrayEquals(guestForm(small, 1), driver.received(head, 62));
    }

    @Test
    void noBuffersWhenTheGuestPostedNoneOrTooFewAndNothingIsTaken() {
        start(VERSION_1 | MRG);
        assertEquals(SplitVirtqueue.NO_BUFFERS, push(internalFrame(60)));
        driver.postReceive(100);
        driver.postReceive(100);
        assertEquals(SplitVirtqueue.NO_BUFFERS, push(internalFrame(300)));
        assertEquals(2, queue.available());
        assertFalse(queue.flush());
        assertEquals(0, driver.usedIndex());
    }

    @Test
    void aBadChainInTheMiddleOfAMergeableFrameGivesBackEveryChainItTookEmpty() {
        start(VERSION_1 | MRG);
        int a = driver.postReceive(100);
        int b = driver.takeDescriptor();
        driver.writeDescriptor(b, driver.gpaEnd() + 4096, 100, DescriptorChain.F_WRITE, 0);
        driver.makeAvailable(b);
        assertError(GuestError.UNMAPPED_BUFFER, push(internalFrame(150)));
        queue.flush();
        assertUsed(a, 0);
        assertUsed(b, 0);
    }

    @Test
    void skipsReadableBuffersAtTheStartOfAReceiveChain() {
        start(VERSION_1);
        int head = driver.takeDescriptor();
        driver.writeDescriptor(head, driver.allocate(16), 16, 0, 0);
        int tail = driver.postReceive(200);
        // postReceive made tail available on its own; rebuild the avail ring with head first
        driver.setAvailIndex(0);
        driver.link(head, tail);
        driver.makeAvailable(head);
        byte[] internal = internalFrame(60);
        assertEquals(72, push(internal));
        queue.flush();
        assertUsed(head, 72);
    }

    // ---- notifications ----

    @Test
    void withEventIdxCallsOnlyWhenUsedEventIsPassed() {
        start(VERSION_1 | EVENT_IDX);
        driver.setUsedEvent(3);
        driver.transmit(guestFrame(60, 12));
        pop();
        assertTrue(queue.flush(), "the first flush always calls");
        for (int i = 2; i <= 3; i++) {
            driver.transmit(guestFrame(60, 12));
            pop();
            assertFalse(queue.flush(), "used idx " + i + " has not passed used_event 3");
        }
        driver.transmit(guestFrame(60, 12));
        pop();
        assertTrue(queue.flush(), "used idx 4 passed used_event 3");
        driver.transmit(guestFrame(60, 12));
        pop();
        assertFalse(queue.flush(), "already called for used_event 3");
    }

    @Test
    void withEventIdxNoInterruptIsIgnored() {
        start(VERSION_1 | EVENT_IDX);
        driver.setAvailFlags(SplitVirtqueue.AVAIL_F_NO_INTERRUPT);
        driver.setUsedEvent(0);
        driver.transmit(guestFrame(60, 12));
        pop();
        assertTrue(queue.flush());
    }

    @Test
    void withoutEventIdxNoInterruptSuppressesTheCall() {
        start(VERSION_1);
        driver.transmit(guestFrame(60, 12));
        pop();
        assertTrue(queue.flush());
        driver.setAvailFlags(SplitVirtqueue.AVAIL_F_NO_INTERRUPT);
        driver.transmit(guestFrame(60, 12));
        pop();
        assertFalse(queue.flush());
        assertEquals(2, driver.usedIndex(), "published all the same");
    }

    @Test
    void kickRequestsUseNoNotifyWithoutEventIdx() {
        start(VERSION_1);
        queue.disableNotification();
        assertEquals(SplitVirtqueue.USED_F_NO_NOTIFY, driver.usedFlags());
        assertFalse(queue.enableNotification(), "nothing available");
        assertEquals(0, driver.usedFlags());
        queue.disableNotification();
        driver.transmit(guestFrame(60, 12));
        assertTrue(queue.enableNotification(), "a buffer came while kicks were off: poll again");
    }

    @Test
    void kickRequestsUseAvailEventWithEventIdx() {
        start(VERSION_1 | EVENT_IDX);
        for (int i = 0; i < 3; i++) {
            driver.transmit(guestFrame(60, 12));
        }
        queue.disableNotification();
        assertEquals(0, driver.usedFlags(), "EVENT_IDX does not use the flag");
        assertEquals(70, pop());
        assertEquals(70, pop());
        assertTrue(queue.enableNotification(), "one is still available");
        assertEquals(2, driver.availEvent());
        assertEquals(70, pop());
        assertFalse(queue.enableNotification());
        assertEquals(3, driver.availEvent());
    }

    @Test
    void needEventFollowsVirtio() {
        assertTrue(SplitVirtqueue.needEvent(0, 1, 0));
        assertFalse(SplitVirtqueue.needEvent(1, 1, 0));
        assertTrue(SplitVirtqueue.needEvent(65535, 2, 65534), "across the wrap");
        assertFalse(SplitVirtqueue.needEvent(5, 5, 5));
    }

    // ---- guest errors: each drops the frame, none throws ----

    @Test
    void aHeadOutsideTheTableIsDescOutOfRangeAndNotGivenBack() {
        start(VERSION_1);
        driver.makeAvailable(driver.num());
        assertError(GuestError.DESC_OUT_OF_RANGE, pop());
        queue.flush();
        assertNull(driver.nextUsed());
        assertEquals(1, queue.nextAvailIndex(), "consumed all the same: the queue goes on");
    }

    @Test
    void aNextOutsideTheTableIsDescOutOfRange() {
        start(VERSION_1);
        int head = driver.transmit(guestFrame(60, 12));
        driver.link(head, driver.num() + 5);
        assertError(GuestError.DESC_OUT_OF_RANGE, pop());
        queue.flush();
        assertUsed(head, 0);
    }

    @Test
    void aLoopingChainIsChainLoop() {
        start(VERSION_1);
        int head = driver.transmit(guestFrame(60, 12), 20);
        driver.link(head + 1, head);
        assertError(GuestError.CHAIN_LOOP, pop());
        queue.flush();
        assertUsed(head, 0);
        driver.resetBuffers();
        driver.transmit(guestFrame(60, 12));
        assertEquals(70, pop(), "the next chain goes through");
    }

    @Test
    void aSelfLoopInAnIndirectTableIsChainLoop() {
        start(VERSION_1);
        long table = driver.allocate(32);
        long gpa = driver.allocate(100);
        driver.writeDescriptorAt(table, 0, gpa, 100, DescriptorChain.F_NEXT, 1);
        driver.writeDescriptorAt(table, 1, gpa, 100, DescriptorChain.F_NEXT, 0);
        int head = driver.takeDescriptor();
        driver.writeDescriptor(head, table, 32, DescriptorChain.F_INDIRECT, 0);
        driver.makeAvailable(head);
        assertError(GuestError.CHAIN_LOOP, pop());
    }

    private int indirectHead(long table, int len, int flags) {
        int head = driver.takeDescriptor();
        driver.writeDescriptor(head, table, len, DescriptorChain.F_INDIRECT | flags, 0);
        driver.makeAvailable(head);
        return head;
    }

    @Test
    void malformedIndirectDescriptorsAreBadIndirect() {
        start(VERSION_1);
        long table = driver.allocate(16 * 1025);
        long gpa = driver.allocate(100);
        driver.writeDescriptorAt(table, 0, gpa, 100, 0, 0);
        indirectHead(table, 24, 0);                                 // not a multiple of 16
        assertError(GuestError.BAD_INDIRECT, pop());
        indirectHead(table, 0, 0);                                  // empty
        assertError(GuestError.BAD_INDIRECT, pop());
        indirectHead(table, 16 * 1025, 0);                          // over the bound
        assertError(GuestError.BAD_INDIRECT, pop());
        indirectHead(table, 16, DescriptorChain.F_NEXT);            // with NEXT
        assertError(GuestError.BAD_INDIRECT, pop());
        indirectHead(driver.gpaEnd() - 8, 16, 0);                   // table not mapped
        assertError(GuestError.BAD_INDIRECT, pop());
        driver.writeDescriptorAt(table, 0, table, 16, DescriptorChain.F_INDIRECT, 0);
        indirectHead(table, 16, 0);                                 // nested
        assertError(GuestError.BAD_INDIRECT, pop());
        int head = driver.transmit(guestFrame(60, 12));             // indirect after a direct one
        int tail = driver.takeDescriptor();
        driver.writeDescriptor(tail, table, 16, DescriptorChain.F_INDIRECT, 0);
        driver.link(head, tail);
        assertError(GuestError.BAD_INDIRECT, pop());
    }

    @Test
    void buffersOutsideOrAcrossTheRegionEndAreUnmapped() {
        start(VERSION_1);
        int head = driver.takeDescriptor();
        driver.writeDescriptor(head, driver.gpaEnd() - 10, 100, 0, 0);
        driver.makeAvailable(head);
        assertError(GuestError.UNMAPPED_BUFFER, pop());
        head = driver.takeDescriptor();
        driver.writeDescriptor(head, 0x1000, 100, 0, 0);
        driver.makeAvailable(head);
        assertError(GuestError.UNMAPPED_BUFFER, pop());
        head = driver.takeDescriptor();
        driver.writeDescriptor(head, TestVirtioDriver.GPA_BASE, 0x8000_0000, 0, 0);  // len above 2^31
        driver.makeAvailable(head);
        assertError(GuestError.UNMAPPED_BUFFER, pop());
    }

    @Test
    void aReadableBufferAfterAWritableOneIsDescOrder() {
        start(VERSION_1);
        int head = driver.takeDescriptor();
        driver.writeDescriptor(head, driver.allocate(64), 64, DescriptorChain.F_WRITE, 0);
        int tail = driver.takeDescriptor();
        driver.writeDescriptor(tail, driver.allocate(64), 64, 0, 0);
        driver.link(head, tail);
        driver.makeAvailable(head);
        assertError(GuestError.DESC_ORDER, pop());
    }

    @Test
    void anAvailIndexMoreThanNumAheadIsAvailIndexJump() {
        start(VERSION_1);
        driver.setAvailIndex(driver.num() + 1);
        assertError(GuestError.AVAIL_INDEX_JUMP, pop());
        assertError(GuestError.AVAIL_INDEX_JUMP, push(internalFrame(60)));
        assertEquals(0, queue.nextAvailIndex(), "nothing taken");
        driver.setAvailIndex(driver.num());
        assertEquals(driver.num(), queue.available(), "exactly num is fine");
    }

    @Test
    void chainsTooSmallForAFrameAreBufferTooSmall() {
        start(VERSION_1 | MRG);
        int head = driver.transmit(guestFrame(13, 12));
        assertError(GuestError.BUFFER_TOO_SMALL, pop());
        queue.flush();
        assertUsed(head, 0);
        int rx = driver.postReceive(8);
        assertError(GuestError.BUFFER_TOO_SMALL, push(internalFrame(60)));
        queue.flush();
        assertUsed(rx, 0);
    }

    @Test
    void aFrameLongerThanTheCapacityIsFrameTooLong() {
        start(VERSION_1);
        int head = driver.transmit(guestFrame(2000, 12), 1000);
        assertError(GuestError.FRAME_TOO_LONG, queue.pop(dst.memoryAddress(), 1500));
        queue.flush();
        assertUsed(head, 0);
    }

    @Test
    void ringsOutsideTheMemoryOrMisalignedAreUnmappedRing() {
        queue.features(VERSION_1);
        VringAddress good = driver.address(1);
        VringAddress outside = new VringAddress(1, 0, good.descUserAddr() - 0x10000, good.usedUserAddr(),
                good.availUserAddr(), 0);
        assertError(GuestError.UNMAPPED_RING, queue.start(driver.memory(), driver.num(), outside, 0));
        VringAddress misaligned = new VringAddress(1, 0, good.descUserAddr() + 8, good.usedUserAddr(),
                good.availUserAddr(), 0);
        assertError(GuestError.UNMAPPED_RING, queue.start(driver.memory(), driver.num(), misaligned, 0));
        assertFalse(queue.ready());
        assertEquals(0, queue.pop(dst.memoryAddress(), CAPACITY), "a stopped queue has nothing");
        assertEquals(SplitVirtqueue.NO_BUFFERS, push(internalFrame(60)));
        assertError(GuestError.UNMAPPED_RING, queue.remap(GuestMemory.EMPTY));
    }

    @Test
    void queueSizesThatAreNotPowersOfTwoUpTo32768AreBadQueueSize() {
        queue.features(VERSION_1);
        for (int num : new int[] {0, 3, 255, 65536, -4}) {
            assertError(GuestError.BAD_QUEUE_SIZE, queue.start(driver.memory(), num, driver.address(1), 0));
        }
    }

    @Test
    void remapKeepsTheIndicesAndStopsWhenTheRingIsGone() {
        start(VERSION_1);
        driver.transmit(guestFrame(60, 12));
        assertEquals(70, pop());
        assertEquals(0, queue.remap(driver.memory()));
        driver.transmit(guestFrame(60, 12));
        assertEquals(70, pop());
        assertEquals(2, queue.nextAvailIndex());
        assertError(GuestError.UNMAPPED_RING, queue.remap(GuestMemory.EMPTY));
        assertFalse(queue.ready());
        assertEquals(2, queue.stop());
    }

    @Test
    void errorCodesRoundTrip() {
        for (GuestError error : GuestError.values()) {
            assertTrue(error.code() <= -2);
            assertEquals(error, GuestError.of(error.code()));
        }
        assertFalse(GuestError.isError(SplitVirtqueue.NO_BUFFERS));
        assertFalse(GuestError.isError(0));
    }
}

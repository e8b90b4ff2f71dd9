package io.switchd.port;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.switchd.dataplane.LoopContext;

import java.util.concurrent.RejectedExecutionException;

/**
 * Frames one loop has read off its TAP ports ahead of their turn, held in the loop's memory until
 * they are forwarded, oldest first. A TAP's queue shows only its head: a sender's TCP window
 * (megabytes: a TAP takes each frame from the sending socket, so TCP Small Queues never hold the
 * sender back) waits there in front of a ping, and the ping waits for all of it. Read into here,
 * the window waits in switchd instead, and the small frames behind it are seen as soon as they
 * are queued, and forwarded at once ({@link TapPort}). Big frames leave from here a byte budget at
 * a time, between the loop's reads, so every port keeps its turn.
 *
 * <pre>
 *  bytes (SIZE, allocated on first use, a ring of variable-size slots):
 *   head                           tail
 *   v                              v
 *   [slot][slot][slot] ...         [free ........... ][ free ]
 *  slot = HEADROOM | virtio-net header | frame, rounded up to 64 bytes; a slot never wraps: a read
 *  needs LoopContext.BUFFER_SIZE contiguous bytes, at the tail or, when the end is too close, at 0.
 *
 *  entries (a ring of MAX_ENTRIES, oldest at first): port, slot offset, frame length, conversation
 * </pre>
 * Only the loop's thread touches it; per frame it allocates nothing.
 */
public final class ReadAhead {
    /** A port whose frames wait here: it hands each one to its bridge when its turn comes. */
    interface Holder {
        /** Forwards (or drops, when the port has gone) a frame of this port's that waited: {@code length} bytes at {@code offset}. */
        void forwardHeld(ByteBuf buf, int offset, int length, long conversation, LoopContext ctx);
    }

    /** The bytes held at most: a TCP window of a few megabytes, and the frames behind it. */
    static final int SIZE = 4 << 20;
    /** Frames held at most. */
    static final int MAX_ENTRIES = 4096;
    private static final int ALIGN = 64;
    /** What one read may fill: a whole receive buffer. */
    private static final int RESERVE = LoopContext.BUFFER_SIZE;

    private ByteBuf bytes;
    private final Holder[] port = new Holder[MAX_ENTRIES];
    private final int[] offset = new int[MAX_ENTRIES];
    private final int[] length = new int[MAX_ENTRIES];
    private final long[] conversation = new long[MAX_ENTRIES];
    private int first;
    private int count;
    private int head;
    private int tail;
    private boolean scheduled;
    private LoopContext context;
    private IoEventLoop loop;
    private final Runnable forwardTask = this::forwardTask;

    /** The memory frames are read into; null until the first {@link #reserve()}. */
    ByteBuf buffer() {
        return bytes;
    }

    /**
     * Where the next frame may be read ({@link FdPort#HEADROOM} before it is free for a tag), or -1
     * when there is no room for another whole read: then nothing more is read ahead until frames
     * leave.
     */
    int reserve() {
        if (bytes == null) {
            bytes = Unpooled.directBuffer(SIZE, SIZE);
        }
        if (count == MAX_ENTRIES) {
            return -1;
        }
        if (count == 0) {
            head = 0;
            tail = 0;
        }
        if (count == 0 || tail > head) {
            if (SIZE - tail >= RESERVE) {
                return tail;
            }
            return head > RESERVE ? 0 : -1; // start again at 0, in front of the oldest slot
        }
        return head - tail > RESERVE ? tail : -1;
    }

    /** Keeps the frame of {@code frameLength} bytes just read at {@code slot} (from {@link #reserve()}), after the others. */
    void commit(Holder from, int slot, int frameLength, long key) {
        int i = (first + count) & (MAX_ENTRIES - 1);
        port[i] = from;
        offset[i] = slot;
        length[i] = frameLength;
        conversation[i] = key;
        count++;
        tail = slot + ((FdPort.HEADROOM + frameLength + ALIGN - 1) & -ALIGN);
    }

    /** Whether frames wait here. */
    boolean pending() {
        return count > 0;
    }

    /** Frames waiting here. */
    int waiting() {
        return count;
    }

    /**
     * Forwards the oldest frames, until about {@code budget} bytes have left (the frame that
     * crosses it is the last). A frame whose port has gone since it was read is dropped.
     */
    void forward(LoopContext ctx, int budget) {
        int sent = 0;
        while (count > 0 && sent < budget) {
            int i = first;
            Holder from = port[i];
            port[i] = null;
            first = (first + 1) & (MAX_ENTRIES - 1);
            count--;
            head = count == 0 ? tail : offset[first];
            sent += length[i];
            from.forwardHeld(bytes, offset[i] + FdPort.HEADROOM, length[i], conversation[i], ctx);
        }
    }

    /**
     * Makes sure the frames held leave without another read: a task on the loop forwards a budget
     * of them at a time, after the loop's other ports have been read.
     */
    void schedule(IoEventLoop on, LoopContext ctx) {
        if (scheduled || count == 0 || on == null) {
            return; // (no loop: a test that forwards by hand)
        }
        loop = on;
        context = ctx;
        try {
            on.execute(forwardTask);
            scheduled = true;
        } catch (RejectedExecutionException stopping) {
            // the loops are shutting down with the daemon: what is held goes with them
        }
    }

    private void forwardTask() {
        scheduled = false;
        LoopContext ctx = context;
        ctx.tick();
        try {
            forward(ctx, FdPort.READ_BUDGET_BYTES);
        } finally {
            ctx.egress().flush(ctx.stripe());
        }
        schedule(loop, ctx);
    }
}

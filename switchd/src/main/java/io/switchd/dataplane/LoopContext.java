package io.switchd.dataplane;

import io.netty.buffer.ByteBuf;
import io.switchd.port.CopyBatch;
import io.switchd.port.EgressBatch;
import io.switchd.port.ReadAhead;

/**
 * What one forwarding loop owns and hands down the per-frame path: its counter stripe, its receive
 * buffer (frames are read into it, decided on in place and written out of it) and the time of the
 * current wake-up. Only that loop's thread touches it.
 */
public final class LoopContext {
    /**
     * The receive buffer's size: headroom, a virtio-net header, a 64 KB super-frame and a tag. TAP
     * frames are read into it, and packet-socket frames too big for a ring slot, many at a time.
     */
    public static final int BUFFER_SIZE = 70 * 1024;

    private final int stripe;
    private final ByteBuf buffer;
    private long now;
    private long nanos;
    private long receivedBytes;
    private final FrameForm form = new FrameForm();
    private final EgressBatch egress = new EgressBatch();
    private final CopyBatch copies;
    private final BpduInbox bpdus = new BpduInbox();
    private final ReadAhead readAhead = new ReadAhead();

    /** A context for the loop that writes counter stripe {@code stripe}, reading into {@code buffer}. */
    public LoopContext(int stripe, ByteBuf buffer) {
        if (!buffer.hasMemoryAddress()) {
            throw new IllegalStateException("the receive buffer needs a native address (is sun.misc.Unsafe denied?)");
        }
        this.stripe = stripe;
        this.buffer = buffer;
        this.copies = new CopyBatch(buffer);
        this.now = MonotonicClock.millis();
    }

    /** The counter stripe this loop writes. */
    public int stripe() {
        return stripe;
    }

    /** The loop's receive buffer. */
    public ByteBuf buffer() {
        return buffer;
    }

    /** The time of the current wake-up, in {@link MonotonicClock} milliseconds. */
    public long now() {
        return now;
    }

    /** Reads the clock once for this wake-up. */
    public void tick() {
        nanos = System.nanoTime();
        now = MonotonicClock.millis(nanos);
    }

    /** The time of the current wake-up in System.nanoTime() units, for rate limits. */
    public long nanos() {
        return nanos;
    }

    /** Counts the bytes of a frame handed to a bridge: what a port's read budget is measured in. */
    public void received(int bytes) {
        receivedBytes += bytes;
    }

    /** The bytes of all the frames this loop has handed to bridges so far. */
    public long receivedBytes() {
        return receivedBytes;
    }

    /** The frames this loop has queued for packet-socket egress ports, written when a port's read batch ends. */
    public EgressBatch egress() {
        return egress;
    }

    /** The frames too big for their ring slots that this loop reads off a packet socket at once, into its buffer. */
    public CopyBatch copies() {
        return copies;
    }

    /** The frames this loop read off its TAP ports ahead of their turn. */
    public ReadAhead readAhead() {
        return readAhead;
    }

    /** The BPDUs this loop received for bridges that run a spanning tree, for the protocol's thread to read. */
    public BpduInbox bpdus() {
        return bpdus;
    }

    /** The loop's editor of the frame being forwarded (tag on, tag off). */
    public FrameForm form() {
        return form;
    }
}

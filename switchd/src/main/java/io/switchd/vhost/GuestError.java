package io.switchd.vhost;

/**
 * Why a virtqueue operation refused what the guest put in shared memory. Ring operations return
 * these as negative int codes ({@link #code()}), never as exceptions, so the per-frame path
 * allocates nothing; the port counts them by {@link #reason()}.
 */
public enum GuestError {
    /** A ring part (descriptor table, avail ring, used ring) is not inside one region, or is misaligned. */
    UNMAPPED_RING("unmapped-ring", "a ring is not inside one memory region or is misaligned"),
    /** The queue size is zero, not a power of two, or over 32768. */
    BAD_QUEUE_SIZE("bad-queue-size", "the queue size is not a power of two up to 32768"),
    /**
     * avail->idx moved ahead of the device by more than the queue size. Every later pop or push
     * gives it again until the guest repairs the index: the port should stop the queue.
     */
    AVAIL_INDEX_JUMP("avail-index-jump", "the avail index moved by more than the queue size"),
    /** A head or next index is not inside its descriptor table. */
    DESC_OUT_OF_RANGE("desc-out-of-range", "a descriptor index is outside its table"),
    /** A chain visits more descriptors than its table holds: it loops. */
    CHAIN_LOOP("chain-loop", "a descriptor chain is longer than its table (a loop)"),
    /** An indirect descriptor breaks a rule: length, nesting, NEXT, position, or an unmapped table. */
    BAD_INDIRECT("bad-indirect", "an indirect descriptor table is malformed"),
    /** A buffer is not entirely inside one memory region. */
    UNMAPPED_BUFFER("unmapped-buffer", "a buffer is not inside one memory region"),
    /** A device-readable descriptor follows a device-writable one in a chain. */
    DESC_ORDER("desc-order", "a device-readable descriptor follows a device-writable one"),
    /** A chain is too small for any frame: a header and an Ethernet header (transmit), a header (receive). */
    BUFFER_TOO_SMALL("buffer-too-small", "a chain is too small to hold a header and a frame"),
    /** A transmitted frame is longer than the largest frame the switch takes (64 KB and a header). */
    FRAME_TOO_LONG("frame-too-long", "a transmitted frame is longer than the switch takes");

    /** Codes at or below this are errors; -1 is {@link SplitVirtqueue#NO_BUFFERS}. */
    private static final int FIRST_CODE = -2;
    private static final GuestError[] VALUES = values();

    private final String reason;
    private final String description;

    GuestError(String reason, String description) {
        this.reason = reason;
        this.description = description;
    }

    /** The short label a counter of these errors carries, e.g. {@code chain-loop}. */
    public String reason() {
        return reason;
    }

    /** One sentence on what the guest did wrong, for logs and the API. */
    public String description() {
        return description;
    }

    /** The negative int a ring operation returns for this error (-2 and below). */
    public int code() {
        return FIRST_CODE - ordinal();
    }

    /** Whether a ring operation's result is one of these errors. */
    public static boolean isError(int result) {
        return result <= FIRST_CODE && result > FIRST_CODE - VALUES.length;
    }

    /** The error a ring operation's result stands for; only for results {@link #isError} accepts. */
    public static GuestError of(int result) {
        if (!isError(result)) {
            throw new IllegalArgumentException("not a guest error code: " + result);
        }
        return VALUES[FIRST_CODE - result];
    }
}

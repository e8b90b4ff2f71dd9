package io.switchd.vhost;

/**
 * What a vhost-user session asks of the device behind it (the switch port), one call per request
 * that changes the device, all on the thread that reads the session's socket. File descriptors
 * passed here belong to the backend from then on (it closes them); -1 means none was passed (the
 * frontend set the "no descriptor" flag: poll the ring instead). A call that throws
 * {@link VhostProtocolException} fails the request (and, with REPLY_ACK, answers it as failed).
 */
public interface VhostBackend {
    /** The virtio and vhost-user feature bits the device offers (GET_FEATURES). */
    long offeredFeatures();

    /** The protocol feature bits the device offers (GET_PROTOCOL_FEATURES). */
    long offeredProtocolFeatures();

    /** The frontend acknowledged these features (SET_FEATURES); a subset of the offered ones. */
    void features(long acked) throws VhostProtocolException;

    /** The frontend acknowledged these protocol features (SET_PROTOCOL_FEATURES). */
    void protocolFeatures(long acked) throws VhostProtocolException;

    /** Replaces the whole memory table (SET_MEM_TABLE); {@code fds[i]} maps {@code regions[i]}. */
    void memoryTable(MemoryRegion[] regions, int[] fds) throws VhostProtocolException;

    /** Adds one region at run time (ADD_MEM_REG). */
    void addRegion(MemoryRegion region, int fd) throws VhostProtocolException;

    /** Removes the region that matches this one (REM_MEM_REG). */
    void removeRegion(MemoryRegion region) throws VhostProtocolException;

    /** The number of descriptors of queue {@code index} (SET_VRING_NUM). */
    void vringNum(int index, int num) throws VhostProtocolException;

    /** Where queue {@code address.index()}'s parts are (SET_VRING_ADDR). */
    void vringAddress(VringAddress address) throws VhostProtocolException;

    /** The next available index the device is to read of queue {@code index} (SET_VRING_BASE). */
    void vringBase(int index, int base) throws VhostProtocolException;

    /** Stops queue {@code index} and returns the next available index it would read (GET_VRING_BASE). */
    int stopVring(int index) throws VhostProtocolException;

    /** The eventfd the frontend signals when it adds buffers to queue {@code index} (SET_VRING_KICK); starts the queue. */
    void vringKick(int index, int fd) throws VhostProtocolException;

    /** The eventfd the device signals when it has used buffers of queue {@code index} (SET_VRING_CALL). */
    void vringCall(int index, int fd) throws VhostProtocolException;

    /** The eventfd the device signals on a queue error (SET_VRING_ERR). */
    void vringErr(int index, int fd) throws VhostProtocolException;

    /** Enables or disables queue {@code index} (SET_VRING_ENABLE). */
    void vringEnable(int index, boolean enable) throws VhostProtocolException;

    /** How many queues the device has (GET_QUEUE_NUM). */
    int queueCount();

    /** The frontend reset the device (RESET_OWNER, or a new SET_OWNER after one). */
    void reset();

    /** The frontend went away: unmap its memory, close its descriptors, stop its queues. */
    void disconnected();
}

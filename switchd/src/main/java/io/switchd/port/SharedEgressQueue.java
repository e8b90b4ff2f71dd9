package io.switchd.port;

/**
 * An egress queue that every forwarding loop may write but only one at a time (a vhost-user
 * guest's receive ring): a loop takes it for the rest of its batch, on the first frame it sends
 * there, and gives it back when the batch ends ({@link EgressBatch#flush}), publishing what it
 * wrote. One atomic operation per batch, none per frame, as Open vSwitch's DPDK ports take their
 * shared transmit queues.
 */
public interface SharedEgressQueue {
    /** Takes the queue if no other loop holds it; false if one does. */
    boolean tryTake();

    /** Takes the queue, waiting for the loop that holds it to end its batch (microseconds). */
    void take();

    /** Publishes what this loop wrote (one used-index store, at most one call) and gives the queue back. */
    void release(int stripe);
}

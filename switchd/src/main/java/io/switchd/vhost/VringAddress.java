package io.switchd.vhost;

/**
 * SET_VRING_ADDR's payload: where a split virtqueue's three parts are, in the frontend's user
 * addresses (log is unused: switchd offers no dirty logging); {@code flags} bit 0 asks for dirty
 * logging of the used ring. Untrusted: nothing here has been checked yet.
 */
public record VringAddress(int index, int flags, long descUserAddr, long usedUserAddr, long availUserAddr,
                           long logGuestAddr) {
}

package io.switchd.vhost;

/**
 * One region of a vhost-user frontend's memory, as SET_MEM_TABLE and ADD_MEM_REG describe it:
 * where it is in the guest's physical address space, where it is in the frontend's own address
 * space (vring addresses are given in the latter), its size, and the offset into the passed file
 * descriptor at which it starts. Untrusted: nothing here has been checked yet.
 */
public record MemoryRegion(long guestPhysAddr, long size, long userAddr, long mmapOffset) {
}

/**
 * The etcd directory of vxlan ports ({@code directory = etcd}): each host registers per VNI under
 * a lease and publishes the MACs learned on its local ports; what the other hosts registered and
 * published becomes the vxlan device's flood list and unicast entries. It all runs on the
 * directory's own thread: nothing on a forwarding loop waits for etcd. The key layout is in
 * {@link io.switchd.overlay.DirectoryKeys}.
 */
package io.switchd.overlay;

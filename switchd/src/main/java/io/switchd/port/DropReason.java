package io.switchd.port;

/**
 * Why a frame was dropped; each has a stable counter id and the name that stats and metrics show.
 * Ingress reasons are counted on the port the frame came in on, egress reasons on the port it
 * could not leave by.
 */
public enum DropReason {
    /** Shorter than an Ethernet header (14 bytes). */
    RUNT("runt"),
    /** An 802.1Q tag cut short. */
    VLAN_TRUNCATED("vlan-truncated"),
    /** VLAN id 4095, which is reserved. */
    VLAN_INVALID("vlan-invalid"),
    /** A tagged frame on an access port. */
    VLAN_TAGGED_ON_ACCESS("vlan-tagged-on-access"),
    /** A frame in a VLAN the port does not carry (untagged on a trunk without a native VLAN, too). */
    VLAN_NOT_MEMBER("vlan-not-member"),
    /** A locked port's frame from a source without a static entry on that port. */
    LOCKED("locked"),
    /** A new source beyond the port's mac-limit (or one that would move onto it). */
    MAC_LIMIT("mac-limit"),
    /** Unicast from an isolated port to another isolated port. */
    ISOLATED("isolated"),
    /** Broadcast over the port's storm-control rate. */
    STORM_BROADCAST("storm-broadcast"),
    /** Multicast over the port's storm-control rate. */
    STORM_MULTICAST("storm-multicast"),
    /** Unknown unicast over the port's storm-control rate. */
    STORM_UNKNOWN_UNICAST("storm-unknown-unicast"),
    /** The source address is a group (multicast or broadcast) address. */
    SOURCE_MULTICAST("source-multicast"),
    /** The source address is 00:00:00:00:00:00. */
    SOURCE_ZERO("source-zero"),
    /**
     * Longer than the ingress port's MTU plus the Ethernet header (and a tag); also counted on a
     * packet-socket egress port (netdev, vxlan) a frame is too big to leave by, which the kernel
     * would refuse: a vxlan port's MTU is smaller than its bridge's other ports'.
     */
    OVERSIZE("oversize"),
    /** Longer than the receive buffer; the kernel cut it. */
    TRUNCATED("truncated"),
    /** An IEEE 802.1D link-local group address that the group-forward mask does not let through. */
    LINK_LOCAL("link-local"),
    /**
     * The port is not up: administratively down, its link down, or taken down by BPDU guard; what
     * it receives is not forwarded.
     */
    PORT_DOWN("port-down"),
    /**
     * The spanning tree has the port discarding (a blocked link), or learning: what it receives is
     * not forwarded (in learning its sources are learned first).
     */
    STP_DISCARDING("stp-discarding"),
    /** The destination was learned on the port the frame came in on. */
    SAME_PORT("same-port"),
    /**
     * The kernel could not queue the frame to switchd's descriptor (the packet socket's buffer or
     * ring, the TAP's queue) and dropped it before switchd could read it: switchd fell behind.
     */
    KERNEL_QUEUE_FULL("kernel-queue-full"),
    /**
     * A vhost-user guest broke the rules of its rings (a descriptor outside its memory, a looping
     * chain, ...): the frame was dropped and the port taken down; its reason says what was wrong.
     */
    GUEST_ERROR("guest-error"),
    /**
     * The frame leaves work to its receiver that a vhost-user guest did not agree to do and
     * switchd cannot do for it: a UDP super-frame, or a TCP super-frame or partial checksum whose
     * headers do not parse (switchd segments TCP and completes checksums in software for such a guest).
     */
    OFFLOAD_UNSUPPORTED("offload-unsupported"),
    /** The egress descriptor would have blocked; the frame was not queued. */
    EGRESS_FULL("egress-full"),
    /** The egress descriptor failed the write (interface down, gone or refusing the frame). */
    EGRESS_ERROR("egress-error"),
    /**
     * Received on a mirror's output port, which takes no part in forwarding: what an analyser on
     * it sends goes nowhere.
     */
    MIRROR_OUTPUT("mirror-output");


    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** Whether the frame was dropped on its way out (tx) rather than in (rx). */
    public boolean egress() {
        return this == EGRESS_FULL || this == EGRESS_ERROR || this == OFFLOAD_UNSUPPORTED;
    }

    /** The name stats and metrics show. */
    public String label() {
        return label;
    }
}

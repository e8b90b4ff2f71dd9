package io.switchd.port;

/** Why a port does not forward: what {@code port list} shows as its reason. */
public enum DownReason {
    /** Its interface does not exist (or vanished). */
    ABSENT("absent", PortState.ABSENT),
    /** The operator set it down. */
    ADMIN_DOWN("admin-down", PortState.ADMIN_DOWN),
    /** It heard a BPDU with BPDU guard on, and stays down until the operator sets it up. */
    BPDU_GUARD("bpdu-guard", PortState.DOWN),
    /** The guest behind it broke the rules of its rings; it stays down until the guest starts over. */
    GUEST_ERROR("guest-error", PortState.DOWN),
    /** Its interface is down or has no carrier. */
    LINK_DOWN("link-down", PortState.DOWN);

    private final String label;
    private final PortState state;

    DownReason(String label, PortState state) {
        this.label = label;
        this.state = state;
    }

    /** The name operators see. */
    public String label() {
        return label;
    }

    /** The state a port down for this reason is in. */
    public PortState state() {
        return state;
    }
}

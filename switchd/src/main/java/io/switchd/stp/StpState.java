package io.switchd.stp;

/**
 * What a port does with the frames it carries (802.1D-2004 17.10): drops them, learns their
 * sources but drops them, or learns and forwards. BPDUs come and go in every state.
 */
public enum StpState {
    DISCARDING("discarding"),
    LEARNING("learning"),
    FORWARDING("forwarding");

    private final String label;

    StpState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

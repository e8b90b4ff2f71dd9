package io.switchd.stp;

/** Which protocol a bridge speaks: 802.1D-2004's Force Protocol Version (17.13.4), 0 or 2. */
public enum StpMode {
    /** Plain 802.1D spanning tree: configuration and TCN BPDUs, forward delay timers. */
    STP("stp"),
    /** Rapid spanning tree, falling back to STP per port where an 802.1D bridge is heard. */
    RSTP("rstp");

    private final String label;

    StpMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

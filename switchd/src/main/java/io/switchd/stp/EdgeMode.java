package io.switchd.stp;

/**
 * Whether a port is taken for an edge port, one with no bridge behind it, which forwards as soon
 * as it comes up (802.1D-2004 17.13.1 AdminEdgePort, 17.13.3 AutoEdgePort). Any BPDU heard makes
 * it an ordinary port at once.
 */
public enum EdgeMode {
    /** Edge when it comes up, and again after three seconds of proposing with no BPDU heard. */
    AUTO("auto", true, true),
    /** Edge when it comes up, until it hears a BPDU; edge again the next time it comes up. */
    ON("on", true, false),
    /** Never edge: a link to another switch. */
    OFF("off", false, false);

    private final String label;
    private final boolean adminEdge;
    private final boolean autoEdge;

    EdgeMode(String label, boolean adminEdge, boolean autoEdge) {
        this.label = label;
        this.adminEdge = adminEdge;
        this.autoEdge = autoEdge;
    }

    public String label() {
        return label;
    }

    /** 17.13.1 AdminEdgePort. */
    boolean adminEdge() {
        return adminEdge;
    }

    /** 17.13.3 AutoEdgePort. */
    boolean autoEdge() {
        return autoEdge;
    }
}

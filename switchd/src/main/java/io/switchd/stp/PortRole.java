package io.switchd.stp;

/** A port's role in the spanning tree (802.1D-2004 17.7), with the name `stp show` gives it. */
public enum PortRole {
    ROOT("root"),
    DESIGNATED("designated"),
    ALTERNATE("alternate"),
    BACKUP("backup"),
    DISABLED("disabled");

    private final String label;

    PortRole(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

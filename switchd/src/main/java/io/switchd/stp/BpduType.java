package io.switchd.stp;

/** The three kinds of BPDU 802.1D-2004 speaks (9.3), with their BPDU Type octet. */
public enum BpduType {
    /** An 802.1D configuration BPDU (9.3.1). */
    CONFIG(0x00, 35),
    /** An 802.1D topology change notification (9.3.2). */
    TCN(0x80, 4),
    /** A rapid spanning tree BPDU, protocol version 2 (9.3.3). */
    RST(0x02, 36);

    private final int code;
    private final int length;

    BpduType(int code, int length) {
        this.code = code;
        this.length = length;
    }

    /** The BPDU Type octet. */
    public int code() {
        return code;
    }

    /** The BPDU's length from its Protocol Identifier on; 9.3.4 decodes no shorter one. */
    public int length() {
        return length;
    }
}

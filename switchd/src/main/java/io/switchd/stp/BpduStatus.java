package io.switchd.stp;

/**
 * What became of a received BPDU: used ({@link #VALID}), or why not, with the name counters show.
 * The first group is the parser's (802.1D-2004 9.3.4, 17.13), the last the protocol's.
 */
public enum BpduStatus {
    /** Decoded and, when given to a bridge, used. */
    VALID("valid"),
    /** Shorter than its header, its own length field or what its BPDU type needs. */
    TOO_SHORT("short"),
    /** Not sent to 01:80:c2:00:00:00, the bridge group address. */
    WRONG_ADDRESS("wrong-address"),
    /** No 802.2 LLC header 42 42 03 after an 802.3 length field. */
    BAD_LLC("bad-llc"),
    /** A Protocol Identifier other than 0 (spanning tree). */
    UNKNOWN_PROTOCOL("unknown-protocol"),
    /** A BPDU Type other than configuration, TCN or RST. */
    UNKNOWN_TYPE("unknown-type"),
    /** An RST BPDU type with a protocol version below 2. */
    UNKNOWN_VERSION("unknown-version"),
    /** A hello time, max age or forward delay outside what any bridge may use. */
    BAD_TIMERS("bad-timers"),
    /** A message age not below the max age: the information has expired (9.3.4 a). */
    MESSAGE_AGE_EXCEEDED("message-age"),
    /** The port is not taking part: unknown to the bridge, down or taken out by BPDU guard. */
    PORT_DISABLED("port-disabled"),
    /** This very port's own BPDU come back to it (9.3.4): a loop the BPDU cannot tell us more about. */
    LOOPED_BACK("looped-back");

    private final String label;

    BpduStatus(String label) {
        this.label = label;
    }

    /** The name counters and logs show. */
    public String label() {
        return label;
    }
}

package io.switchd.capture;

import io.netty.buffer.ByteBuf;
import io.switchd.frame.EthernetFrame;
import io.switchd.port.Port;

import java.util.Arrays;

/**
 * The captures running on one bridge, as the loops see them: an immutable array, republished whole
 * by the control plane when a capture starts or ends. The bridge holds null while there is none,
 * so a frame then costs one read of that field.
 */
public final class CaptureSet {
    private final Capture[] captures;

    private CaptureSet(Capture[] captures) {
        this.captures = captures;
    }

    /** The set with {@code c} added to {@code set} (null: none). */
    public static CaptureSet with(CaptureSet set, Capture c) {
        Capture[] now = set == null ? new Capture[0] : set.captures;
        Capture[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = c;
        return new CaptureSet(next);
    }

    /** The set without {@code c}; null when nothing is left. */
    public static CaptureSet without(CaptureSet set, Capture c) {
        if (set == null) {
            return null;
        }
        Capture[] next = Arrays.stream(set.captures).filter(x -> x != c).toArray(Capture[]::new);
        return next.length == 0 ? null : new CaptureSet(next);
    }

    /**
     * A frame as it came in on {@code in}: {@code length} bytes at {@code eth}, tagged or not as it
     * was received. Its VLAN (for a capture that selects one) is worked out only when asked for.
     */
    public void ingress(Port in, ByteBuf buf, int eth, int length, int stripe) {
        int index = in.index();
        for (Capture c : captures) {
            if (c.watches(index, Capture.IN)) {
                int vlan = c.byVlan() ? vlanOf(in, buf, eth, length) : -1;
                c.offer(index, Capture.IN, vlan, buf, eth, length, stripe);
            }
        }
    }

    /** A frame as it is written to {@code out} on {@code vlan}: {@code length} bytes at {@code eth}. */
    public void egress(Port out, int vlan, ByteBuf buf, int eth, int length, int stripe) {
        int index = out.index();
        for (Capture c : captures) {
            c.offer(index, Capture.OUT, vlan, buf, eth, length, stripe);
        }
    }

    /** The VLAN the port puts a received frame on, as the bridge classifies it; negative if it drops it. */
    private static int vlanOf(Port in, ByteBuf buf, int eth, int length) {
        int tagVid = -1;
        if (EthernetFrame.isTag(EthernetFrame.type(buf, eth))) {
            if (length < EthernetFrame.HEADER_LENGTH + EthernetFrame.TAG_LENGTH) {
                return -1;
            }
            tagVid = buf.getUnsignedShort(eth + EthernetFrame.TCI_OFFSET) & EthernetFrame.VID_MASK;
        }
        return in.policy().classify(tagVid);
    }
}

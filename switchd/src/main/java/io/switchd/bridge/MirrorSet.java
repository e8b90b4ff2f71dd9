package io.switchd.bridge;

import io.switchd.port.Port;

import java.util.BitSet;
import java.util.List;

/**
 * The mirrors of one bridge as the loops see them, resolved against the bridge's ports: for each
 * port index, which mirrors select the frames it receives and the frames sent to it (one bit per
 * mirror), and whether it is a mirror's output. Immutable, republished whole by the control plane
 * whenever the mirrors or the ports change; the bridge holds null while it has no mirror, so a
 * frame then costs one read of that field.
 */
final class MirrorSet {

    private final Mirror[] mirrors;
    /** Each mirror's output port (null while that port is not on the bridge), by mirror bit. */
    private final Port[] outputs;
    private final int[] ingress;
    private final int[] egress;
    private final boolean[] output;

    private MirrorSet(Mirror[] mirrors, Port[] outputs, int[] ingress, int[] egress, boolean[] output) {
        this.mirrors = mirrors;
        this.outputs = outputs;
        this.ingress = ingress;
        this.egress = egress;
        this.output = output;
    }

    /** The set of {@code mirrors} over {@code ports} (indexed by bridge index); null when there is no mirror. */
    static MirrorSet of(List<Mirror> mirrors, Port[] ports) {
        if (mirrors.isEmpty()) {
            return null;
        }
        int n = ports.length;
        int[] ingress = new int[n];
        int[] egress = new int[n];
        boolean[] output = new boolean[n];
        Port[] outs = new Port[mirrors.size()];
        for (int m = 0; m < mirrors.size(); m++) {
            var c = mirrors.get(m).config();
            for (int i = 0; i < n; i++) {
                Port p = ports[i];
                if (p == null) {
                    continue;
                }
                String name = p.name();
                if (c.selectIngress().contains(name)) {
                    ingress[i] |= 1 << m;
                }
                if (c.selectEgress().contains(name)) {
                    egress[i] |= 1 << m;
                }
                if (name.equals(c.output())) {
                    outs[m] = p;
                    output[i] = true;
                }
            }
        }
        return new MirrorSet(mirrors.toArray(new Mirror[0]), outs, ingress, egress, output);
    }

    /** The indexes of the ports that are some mirror's output: out of forwarding. */
    static BitSet outputs(MirrorSet set) {
        BitSet out = new BitSet();
        if (set != null) {
            for (int i = 0; i < set.output.length; i++) {
                if (set.output[i]) {
                    out.set(i);
                }
            }
        }
        return out;
    }

    /** Whether the port at {@code index} is a mirror's output, whose received frames are dropped. */
    boolean isOutput(int index) {
        return index < output.length && output[index];
    }

    /** The mirrors (one bit each) that select frames received on the port at {@code index}. */
    int ingress(int index) {
        return index < ingress.length ? ingress[index] : 0;
    }

    /** The mirrors (one bit each) that select frames sent to the port at {@code index}. */
    int egress(int index) {
        return index < egress.length ? egress[index] : 0;
    }

    /** The mirror at bit {@code bit}. */
    Mirror mirror(int bit) {
        return mirrors[bit];
    }

    /** The output port of the mirror at bit {@code bit}, or null while it is not on the bridge. */
    Port output(int bit) {
        return outputs[bit];
    }
}

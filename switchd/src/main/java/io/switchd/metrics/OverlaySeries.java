package io.switchd.metrics;

import io.switchd.api.model.PortInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The family {@code switchd_vxlan_peers}: one sample per vxlan port, the hosts its flood list
 * holds now (static remotes and directory peers, each address once). Written as text after the
 * registry's, as {@link PortSeries} is, so that a port that goes takes its series with it.
 */
final class OverlaySeries {
    static final String NAME = "switchd_vxlan_peers";

    private OverlaySeries() {}

    static void writeTo(List<PortInfo> ports, OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (PortInfo p : ports) {
            if (!"vxlan".equals(p.type()) || p.remotes() == null) {
                continue;
            }
            if (sb.isEmpty()) {
                sb.append("# HELP ").append(NAME).append(" Remote hosts on a vxlan port's flood list (static and from "
                        + "the etcd directory)\n# TYPE ").append(NAME).append(" gauge\n");
            }
            Set<String> peers = new HashSet<>();
            for (PortInfo.Remote r : p.remotes()) {
                peers.add(r.address());
            }
            sb.append(NAME).append("{bridge=\"").append(escape(p.bridge())).append("\",port=\"").append(escape(p.name()))
                    .append("\"} ").append(peers.size()).append('\n');
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A label value as the exposition format quotes it. */
    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

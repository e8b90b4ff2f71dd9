package io.switchd.api.model;

import java.util.List;

/**
 * One mirror, as {@code GET /v1/mirrors} shows it: the ports whose received (ingress) and sent
 * (egress) frames it copies, the VLANs it keeps to (none: all), its output port, and how many
 * frames it has copied there since it started.
 */
public record MirrorInfo(String bridge, String name, List<String> selectIngress, List<String> selectEgress,
                         List<Integer> selectVlans, String output, long copies) {}

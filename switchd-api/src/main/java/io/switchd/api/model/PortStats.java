package io.switchd.api.model;

import java.util.Map;

/** A port's counters: frames and bytes each way, and dropped frames by reason. */
public record PortStats(String bridge, String port, long rxFrames, long rxBytes, long txFrames, long txBytes,
                        Map<String, Long> drops) {}

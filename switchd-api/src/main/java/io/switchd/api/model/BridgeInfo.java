package io.switchd.api.model;

import java.util.List;

/** A bridge as {@code GET /v1/bridges} shows it; origin is config (the config file declares it) or api. */
public record BridgeInfo(String name, List<String> ports, long ageingTime, int macTableSize,
                         int groupForwardMask, int fdbEntries, String origin) {}

package io.switchd.api.model;

import java.util.List;

/**
 * {@code POST /v1/reload}: what the reload changed; the settings both the API and the config file
 * changed, which the config file won; the global settings that need a restart to take effect;
 * and how many ports it left untouched.
 */
public record ReloadSummary(List<ReloadChange> changes, List<String> conflicts, List<String> needsRestart,
                            int unchangedPorts) {}

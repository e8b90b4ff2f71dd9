package io.switchd.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /v1/bridges/{br}/fdb/flush}: one port's entries or all; static ones only when asked. */
public record FdbFlush(String port, @JsonProperty("static") Boolean includeStatic) {}

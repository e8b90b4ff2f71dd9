package io.switchd.api.model;

/** {@code POST /v1/bridges}. */
public record NewBridge(String name) {}

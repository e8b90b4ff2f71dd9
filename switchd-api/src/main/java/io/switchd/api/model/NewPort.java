package io.switchd.api.model;

/** {@code POST /v1/bridges/{br}/ports}; type tap or netdev (default netdev). */
public record NewPort(String name, String type, Boolean persistent) {}

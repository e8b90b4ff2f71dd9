package io.switchd.api.model;

/** A port as {@code GET /v1/bridges/{br}/ports} shows it; state is up, down, admin-down or absent. */
public record PortInfo(String bridge, String name, String type, String state, int mtu, boolean persistent) {}

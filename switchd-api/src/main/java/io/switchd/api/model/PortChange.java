package io.switchd.api.model;

/** {@code PATCH /v1/bridges/{br}/ports/{port}}: admin up or down. */
public record PortChange(String admin) {}

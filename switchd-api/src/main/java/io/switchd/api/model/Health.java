package io.switchd.api.model;

/** {@code GET /v1/health}: ok while every forwarding loop answers. */
public record Health(String status, int bridges, int ports, int portsUp, long uptimeSeconds) {}

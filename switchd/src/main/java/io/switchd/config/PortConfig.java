package io.switchd.config;

/** One configured bridge port, named by its Linux interface. */
public record PortConfig(String name, PortType type, boolean persistent) {}

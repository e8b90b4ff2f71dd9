package io.switchd.config;

/** Where the control API listens: a unix socket, mode 0660, owned by {@code group} when that group exists. */
public record ControlConfig(String socket, String group) {}

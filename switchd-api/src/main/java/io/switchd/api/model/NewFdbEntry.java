package io.switchd.api.model;

/** {@code POST /v1/bridges/{br}/fdb}: a static entry. */
public record NewFdbEntry(String mac, String port, Integer vlan) {}

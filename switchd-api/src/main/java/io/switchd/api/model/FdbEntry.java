package io.switchd.api.model;

/** One MAC table entry; type is learned or static, age in seconds since the station was last seen. */
public record FdbEntry(String bridge, String port, int vlan, String mac, String type, long age) {}

package io.switchd.config;

/** A configured MAC table entry that never ages. */
public record StaticMac(long mac, int vlan, String port) {}

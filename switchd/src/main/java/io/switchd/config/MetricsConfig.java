package io.switchd.config;

/** The Prometheus listener ({@code host:port}, empty for none) and how many MAC table entries it exports. */
public record MetricsConfig(String listen, int fdbEntriesLimit) {}

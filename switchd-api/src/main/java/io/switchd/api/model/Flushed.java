package io.switchd.api.model;

/** What a flush removed. */
public record Flushed(int removed) {}

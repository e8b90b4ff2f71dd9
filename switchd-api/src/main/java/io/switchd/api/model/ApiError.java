package io.switchd.api.model;

/** The body of every 4xx and 5xx answer: what was wrong. */
public record ApiError(String error) {}

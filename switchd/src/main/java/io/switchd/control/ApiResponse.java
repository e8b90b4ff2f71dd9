package io.switchd.control;

import io.switchd.api.Json;
import io.switchd.api.model.ApiError;

import java.nio.charset.StandardCharsets;

/** What a route answers: status, content type and body. */
public record ApiResponse(int status, String contentType, byte[] body) {
    private static final String JSON = "application/json";

    /** A JSON answer. */
    public static ApiResponse json(int status, Object value) {
        try {
            return new ApiResponse(status, JSON, Json.mapper().writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** An error answer with {@code {"error": message}}. */
    public static ApiResponse error(int status, String message) {
        return json(status, new ApiError(message));
    }

    /** 204, no body. */
    public static ApiResponse noContent() {
        return new ApiResponse(204, JSON, new byte[0]);
    }

    /** A plain text answer. */
    public static ApiResponse text(String contentType, String body) {
        return new ApiResponse(200, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}

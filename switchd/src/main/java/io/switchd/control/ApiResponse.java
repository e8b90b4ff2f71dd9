package io.switchd.control;

import io.switchd.api.Json;
import io.switchd.api.model.ApiError;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What a route answers: status, content type and body, or instead of the body the {@code writer}
 * that writes it straight into the response's buffer when it is sent.
 */
public record ApiResponse(int status, String contentType, byte[] body, BodyWriter writer, Streamer streamer) {
    private static final String JSON = "application/json";

    /** A body written when the answer is sent. */
    @FunctionalInterface
    public interface BodyWriter {
        /** Writes the whole body to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** An answer that is not sent whole but streamed on the connection for as long as it lasts (a capture). */
    @FunctionalInterface
    public interface Streamer {
        /** Takes over the connection of {@code ctx}, on its event loop: writes the response head and what follows. */
        void start(io.netty.channel.ChannelHandlerContext ctx);
    }

    /** An answer with its body at hand. */
    public ApiResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, null, null);
    }

    /** An answer with its body written when sent. */
    public ApiResponse(int status, String contentType, byte[] body, BodyWriter writer) {
        this(status, contentType, body, writer, null);
    }

    /** A streamed answer: {@code streamer} writes it all, head included. */
    public static ApiResponse stream(Streamer streamer) {
        return new ApiResponse(200, "application/octet-stream", new byte[0], null, streamer);
    }

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

    /**
     * A text answer written by {@code writer} into the response's (pooled, off-heap) buffer: a
     * body of megabytes (the metrics) is not built on the heap first, nor copied there.
     */
    public static ApiResponse text(String contentType, BodyWriter writer) {
        return new ApiResponse(200, contentType, new byte[0], writer);
    }
}

package io.switchd.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.switchd.api.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An answer whose body is written when it is sent (the metrics) goes out whole, or as a 500 if writing fails. */
class HttpHandlerTest {
    @Test
    void aWrittenBodyIsTheResponsesContent() {
        String text = "# HELP x y\n" + "z 1.0\n".repeat(10_000); // larger than any first buffer
        FullHttpResponse r = HttpHandler.response(ApiResponse.text("text/plain; charset=utf-8",
                out -> out.write(text.getBytes(StandardCharsets.UTF_8))), true);
        try {
            assertEquals(200, r.status().code());
            assertEquals("text/plain; charset=utf-8", r.headers().get(HttpHeaderNames.CONTENT_TYPE));
            assertEquals(text.length(), r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH));
            assertEquals(text, r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    @Test
    void aBodyThatCannotBeWrittenIsA500WithAMessage() throws Exception {
        FullHttpResponse r = HttpHandler.response(ApiResponse.text("text/plain", out -> {
            out.write("half a body".getBytes(StandardCharsets.UTF_8));
            throw new IOException("the collector broke");
        }), true);
        try {
            assertEquals(500, r.status().code());
            JsonNode error = Json.mapper().readTree(r.content().toString(StandardCharsets.UTF_8));
            assertTrue(error.get("error").asText().contains("the collector broke"), error.toString());
        } finally {
            r.release();
        }
    }
}

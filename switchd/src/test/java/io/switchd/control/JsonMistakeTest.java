package io.switchd.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.switchd.api.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The mistakes no route's body reaches (the routes' fields stop a reader sooner), said in plain words all the same. */
class JsonMistakeTest {
    @Test
    void jsonNestedBeyondJacksonsLimitIsSaidSo() {
        JsonProcessingException e = assertThrows(JsonProcessingException.class,
                () -> Json.mapper().readTree("[".repeat(2000)));
        assertEquals("malformed JSON: nested too deeply", JsonMistake.describe(e));
    }
}

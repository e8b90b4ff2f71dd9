package io.switchd.control;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * What is wrong with a request body that Jackson could not read, in the words of the API: which
 * field, what type it takes and what it got, or where the JSON breaks. Jackson's own messages name
 * Java classes, its tokens and its settings, which mean nothing to the client.
 */
final class JsonMistake {
    private static final int MAX_SHOWN = 40;

    private JsonMistake() {}

    /** The message for {@code e}, thrown reading a body. */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field \"" + u.getPropertyName() + "\" (known: " + known(u.getKnownPropertyIds()) + ")";
        }
        if (e instanceof StreamConstraintsException) {
            return "malformed JSON: nested too deeply";
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof JsonProcessingException cause) {
            // a mistake of the JSON text itself, found while reading a field's value
            return cause instanceof InputCoercionException ? field(m.getPath()) + " is a number out of range"
                    : describe(cause);
        }
        if (e instanceof MismatchedInputException m) {
            if (m.getPath().isEmpty()) {
                return String.valueOf(m.getOriginalMessage()).startsWith("Trailing token")
                        ? "malformed JSON: something follows the JSON object"
                        : "a JSON object is needed, not " + found(m.getProcessor());
            }
            return field(m.getPath()) + " must be " + expected(m.getTargetType()) + ", not " + found(m.getProcessor());
        }
        if (e instanceof JsonEOFException) {
            return "malformed JSON" + at(e.getLocation()) + ": the body ends in the middle of the JSON";
        }
        if (e instanceof JsonMappingException) {
            return "unreadable body";
        }
        // a syntax error: Jackson's words are about characters (no class names), less where it points back
        return "malformed JSON" + at(e.getLocation()) + ": "
                + String.valueOf(e.getOriginalMessage()).replaceAll("\\s*\\((?:start marker )?at \\[Source: [^]]*]\\)", "");
    }

    private static String known(Collection<Object> ids) {
        TreeSet<String> names = new TreeSet<>();
        ids.forEach(id -> names.add(String.valueOf(id)));
        return String.join(", ", names);
    }

    /** {@code field "vlans[0]"}. */
    private static String field(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return "field \"" + sb + "\"";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    /** What the body had where the mistake is: the value itself if short, else its kind. */
    private static String found(Object processor) {
        if (!(processor instanceof JsonParser p) || p.currentToken() == null) {
            return "that";
        }
        JsonToken t = p.currentToken();
        try {
            return switch (t) {
                case START_ARRAY -> "a list";
                case START_OBJECT -> "an object";
                case VALUE_STRING -> {
                    String s = p.getText();
                    yield s.length() > MAX_SHOWN ? "a string" : "\"" + s + "\"";
                }
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
                    String s = p.getText();
                    yield s.length() > MAX_SHOWN ? "a number" : s;
                }
                default -> "that";
            };
        } catch (java.io.IOException unreadable) {
            return "that";
        }
    }

    private static String at(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "";
        }
        StringJoiner j = new StringJoiner(", ", " at ", "");
        j.add("line " + where.getLineNr());
        if (where.getColumnNr() > 0) {
            j.add("column " + where.getColumnNr());
        }
        return j.toString();
    }
}

package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.StringJoiner;

/** Where a port and its settings come from, as {@code port list}'s FROM column and {@code port show} print it. */
final class PortSources {
    private PortSources() {}

    /** "config", "config+api" (the API overrides some of its settings), "api" or "api:OWNER". */
    static String fromText(JsonNode p) {
        if (p.path("origin").asText().equals("config")) {
            return p.path("overrides").isEmpty() ? "config" : "config+api";
        }
        return p.path("owner").isTextual() ? "api:" + p.get("owner").asText() : "api";
    }

    /** A line saying what the port is and where it comes from, then each setting with its value and source. */
    static void print(JsonNode p, PrintStream out) {
        StringBuilder head = new StringBuilder(p.get("bridge").asText() + "/" + p.get("name").asText() + ": "
                + p.get("type").asText() + " port, " + p.get("state").asText() + ", ");
        if (p.path("origin").asText().equals("config")) {
            head.append("declared in the config file");
            if (!p.path("overrides").isEmpty()) {
                StringJoiner keys = new StringJoiner(", ");
                p.get("overrides").forEach(k -> keys.add(k.asText()));
                head.append("; the API overrides ").append(keys)
                        .append(" (switchctl port reset goes back to the config file's)");
            }
        } else {
            head.append("added through the API");
            if (p.path("owner").isTextual()) {
                head.append(" by ").append(p.get("owner").asText());
            }
        }
        out.println(head);
        Table t = new Table("SETTING", "VALUE", "FROM");
        for (JsonNode s : p.path("settings")) {
            t.row(s.get("key").asText(), s.get("value").asText(), s.get("from").asText());
        }
        t.print(out);
    }
}

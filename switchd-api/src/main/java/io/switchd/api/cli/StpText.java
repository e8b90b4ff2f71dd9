package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;

/** `stp show` for people: a block per bridge, laid out as ovs-appctl rstp/show lays out its own. */
final class StpText {
    private StpText() {}

    static void print(JsonNode trees, PrintStream out) {
        boolean first = true;
        for (JsonNode t : trees) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println("---- " + t.get("bridge").asText() + " ----");
            String mode = t.get("mode").asText();
            if (mode.equals("off")) {
                out.println("Spanning tree off: BPDUs are flooded");
                continue;
            }
            out.println("Mode:      " + mode);
            out.println("Root ID:   " + t.get("root_id").asText());
            if (t.get("root_port").isNull()) {
                out.println("  This bridge is the root");
            } else {
                out.println("  root port " + t.get("root_port").asText() + ", cost " + t.get("root_cost").asLong());
            }
            out.println("Bridge ID: " + t.get("bridge_id").asText());
            JsonNode last = t.get("last_topology_change");
            out.println("Topology changes: " + t.get("topology_changes").asLong()
                    + (last.isNull() ? "" : ", the last " + last.asLong() + " s ago"));
            out.println();
            Table table = new Table("INTERFACE", "ROLE", "STATE", "EDGE", "COST", "PRIORITY");
            for (JsonNode p : t.get("ports")) {
                table.row(p.get("name").asText(), p.get("role").asText(), p.get("state").asText(),
                        p.get("edge").asBoolean() ? "yes" : "no", p.get("cost").asLong(), p.get("priority").asInt());
            }
            table.print(out);
        }
    }
}

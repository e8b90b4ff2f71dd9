package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.model.NewMirror;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.StringJoiner;

/** {@code switchctl mirror}: port mirrors, which copy chosen traffic to a port an analyser listens on. */
@Command(name = "mirror", description = "List, add and delete port mirrors (copies of chosen traffic to a "
        + "monitoring port).", mixinStandardHelpOptions = true)
final class Mirror {
    @ParentCommand
    Switchctl root;

    @Command(name = "list", description = "List the mirrors of one bridge or all, with the frames each copied.")
    void list(@Parameters(paramLabel = "BR", arity = "0..1", description = "Only this bridge's mirrors.") String bridge)
            throws Exception {
        JsonNode mirrors = root.call("GET", bridge == null ? "/mirrors" : "/bridges/" + Switchctl.enc(bridge)
                + "/mirrors", null);
        if (root.json) {
            root.printJson(mirrors);
            return;
        }
        Table t = new Table("BRIDGE", "MIRROR", "INGRESS", "EGRESS", "VLANS", "OUTPUT", "COPIES");
        for (JsonNode m : mirrors) {
            t.row(m.get("bridge").asText(), m.get("name").asText(), words(m.get("select_ingress")),
                    words(m.get("select_egress")), m.get("select_vlans").isEmpty() ? "all" : words(m.get("select_vlans")),
                    m.get("output").asText(), m.get("copies").asLong());
        }
        t.print(System.out);
    }

    @Command(name = "add", description = {"Copy the frames received on the --ingress ports and sent to the --egress",
        "ports (only those in the --vlan VLANs, if given) to the --output port, which",
        "then takes no part in forwarding:",
        "  switchctl mirror add br0 m1 --ingress vm1 --egress vm1 --output mon0"})
    void add(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
             @Parameters(paramLabel = "NAME", description = "The new mirror's name.") String name,
             @Option(names = "--ingress", paramLabel = "PORT", description = "Copy the frames this port receives "
                     + "(repeat for more).") List<String> ingress,
             @Option(names = "--egress", paramLabel = "PORT", description = "Copy the frames sent to this port "
                     + "(repeat for more).") List<String> egress,
             @Option(names = "--vlan", paramLabel = "V", description = "Only frames in VLAN V (repeat for more; "
                     + "default: all).") List<Integer> vlans,
             @Option(names = "--output", required = true, paramLabel = "PORT", description = "The port the copies go "
                     + "to, where an analyser listens.") String output) throws Exception {
        root.done(root.call("POST", "/bridges/" + Switchctl.enc(bridge) + "/mirrors", new NewMirror(name,
                ingress, egress, vlans, output)));
    }

    @Command(name = "del", description = "Delete a mirror added at run time (one the config file declares stays: "
            + "remove it there and reload).")
    void del(@Parameters(paramLabel = "BR", description = "The bridge.") String bridge,
             @Parameters(paramLabel = "NAME", description = "The mirror.") String name) throws Exception {
        root.done(root.call("DELETE", "/bridges/" + Switchctl.enc(bridge) + "/mirrors/" + Switchctl.enc(name), null));
    }

    private static String words(JsonNode list) {
        StringJoiner j = new StringJoiner(",");
        list.forEach(x -> j.add(x.asText()));
        return j.length() == 0 ? "-" : j.toString();
    }
}

package io.switchd.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchd.api.client.ApiException;
import io.switchd.api.model.NewPort;

/**
 * Adding and deleting a port as {@code port add}/{@code port del} and the VM hooks do it: with
 * --may-exist a port that is there already is left as it is (settings and owner), with
 * --if-exists one that is not there is fine, and with an owner a deletion removes only a port that
 * owner added, leaving any other (one the config file declares, or someone else's) with a note on
 * stderr saying why.
 */
final class PortAttachment {
    private final Switchctl root;

    PortAttachment(Switchctl root) {
        this.root = root;
    }

    /** Adds the port (owner may be null), or, with {@code mayExist}, leaves it as it is if the bridge has it. */
    void add(String bridge, String name, String type, boolean persistent, String owner, boolean mayExist)
            throws Exception {
        add(new NewPort(name, type, persistent ? Boolean.TRUE : null, owner), bridge, mayExist);
    }

    /** Adds the port {@code port} describes, or, with {@code mayExist}, leaves it as it is if the bridge has it. */
    void add(NewPort port, String bridge, boolean mayExist) throws Exception {
        if (mayExist && find(bridge, port.name()) != null) {
            return;
        }
        root.done(root.call("POST", "/bridges/" + Switchctl.enc(bridge) + "/ports", port));
    }

    /**
     * Deletes the port; with {@code ifExists} a port that is not there is fine; with an
     * {@code owner} (null for any) a port not added by that owner stays, with a note on stderr.
     */
    void delete(String bridge, String name, String owner, boolean ifExists) throws Exception {
        if (ifExists || owner != null) {
            JsonNode port = find(bridge, name);
            if (port == null && ifExists) {
                return;
            }
            String kept = port == null || owner == null ? null : keptBecause(port, owner);
            if (kept != null) {
                System.err.println("switchctl: port " + bridge + "/" + name + " stays: " + kept);
                return;
            }
        }
        root.done(root.call("DELETE", "/bridges/" + Switchctl.enc(bridge) + "/ports/" + Switchctl.enc(name)
                + Switchctl.query("owner", owner), null));
    }

    /** Why a deletion by {@code owner} leaves {@code port}, or null if it may delete it. */
    private static String keptBecause(JsonNode port, String owner) {
        if (port.path("origin").asText().equals("config")) {
            return "it is declared in the config file";
        }
        JsonNode by = port.path("owner");
        if (by.isTextual() && by.asText().equals(owner)) {
            return null;
        }
        return "it was added " + (by.isTextual() ? "by " + by.asText() : "without an owner") + ", not by " + owner;
    }

    /** The port as the daemon shows it, or null if the bridge has no such port. */
    JsonNode find(String bridge, String name) throws Exception {
        try {
            return root.call("GET", "/bridges/" + Switchctl.enc(bridge) + "/ports/" + Switchctl.enc(name), null);
        } catch (ApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }
}

package io.switchd.api.model;

/**
 * One thing a reload did: {@code action} is added, removed, changed, re-created or failed;
 * {@code kind} is bridge, port or static-mac; {@code name} such as br0 or br0/vm1-tap0;
 * {@code detail} what changed ("learning on -> off"), or why it failed; empty when there is nothing to add.
 */
public record ReloadChange(String action, String kind, String name, String detail) {
    /** The change as one line of text: "changed port br0/vm1: learning on -> off". */
    @Override
    public String toString() {
        return action + " " + kind + " " + name + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}

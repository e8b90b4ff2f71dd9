package io.switchd.config;

/** One configured bridge port, named by its Linux interface; {@code adminUp} false keeps it out of forwarding. */
public record PortConfig(String name, PortType type, boolean persistent, boolean adminUp) {
    /** The same port with its administrative state set. */
    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, type, persistent, up);
    }
}

package io.switchd.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One MAC table entry; type is learned or static, age in seconds since the station was last seen.
 * remote is, for a MAC behind a vxlan port, the underlay address of the host it is behind (as the
 * port's kernel vxlan device knows it), and left out otherwise or while the device does not know.
 */
public record FdbEntry(String bridge, String port, int vlan, String mac, String type, long age,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String remote) {
    /** An entry of a port that is not a vxlan port (no remote). */
    public FdbEntry(String bridge, String port, int vlan, String mac, String type, long age) {
        this(bridge, port, vlan, mac, type, age, null);
    }
}

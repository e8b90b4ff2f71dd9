package io.switchd.overlay;

import io.switchd.frame.MacAddress;

/**
 * The directory's key layout under the configured prefix, one subtree per VNI so that a host
 * watches only the VNIs it serves:
 *
 * <pre>
 *  PREFIX/vni/&lt;vni&gt;/hosts/&lt;vtep-address&gt;  {"address":"192.0.2.1"}             a host on the VNI (its lease)
 *  PREFIX/vni/&lt;vni&gt;/macs/&lt;mac&gt;            {"address":"192.0.2.1","vlan":0}    a MAC behind that host (its lease)
 * </pre>
 *
 * MACs are written as {@link MacAddress#format} writes them (lower case, colons).
 */
public record DirectoryKeys(String prefix) {
    static final String HOSTS = "hosts/";
    static final String MACS = "macs/";

    /** The subtree of one VNI, which a host reads and watches. */
    public String vni(int vni) {
        return prefix + "/vni/" + vni + "/";
    }

    /** The registration of the host at VTEP {@code address} on {@code vni}. */
    public String host(int vni, String address) {
        return vni(vni) + HOSTS + address;
    }

    /** Where {@code mac} on {@code vni} is published. */
    public String mac(int vni, long mac) {
        return vni(vni) + MACS + MacAddress.format(mac);
    }
}

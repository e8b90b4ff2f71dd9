package io.switchd;

import io.switchd.bridge.Bridge;
import io.switchd.config.ConfigLoader;
import io.switchd.control.ControlException;
import io.switchd.frame.MacAddress;
import io.switchd.port.Port;

import java.util.Locale;

/** The API's arguments read and checked: a bad request or not found in the user's words. */
final class ApiArgs {
    private ApiArgs() {
    }

    /** {@code name} if it can name a Linux interface (and so a port); a bad request if not. */
    static String interfaceName(String name) throws ControlException {
        if (name == null || !ConfigLoader.isInterfaceName(name)) {
            throw ControlException.badRequest("not a Linux interface name (1 to 15 characters, no '/', ':' or spaces): "
                    + name);
        }
        return name;
    }

    /** An administrative state, "up" or "down" in any case, as true or false; null when not given. */
    static Boolean admin(String text) throws ControlException {
        if (text == null) {
            return null;
        }
        String admin = text.toLowerCase(Locale.ROOT);
        if (!admin.equals("up") && !admin.equals("down")) {
            throw ControlException.badRequest("admin must be up or down, not \"" + text + "\"");
        }
        return admin.equals("up");
    }

    /** The port {@code name} of {@code b}; not found if it has none. */
    static Port port(Bridge b, String name) throws ControlException {
        Port p = name == null ? null : b.port(name);
        if (p == null) {
            throw ControlException.notFound("no port " + name + " on bridge " + b.name());
        }
        return p;
    }

    /** The MAC address {@code text} names. */
    static long mac(String text) throws ControlException {
        if (text == null) {
            throw ControlException.badRequest("a MAC address is needed");
        }
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest("\"" + text + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
    }

    /** Refuses a VLAN outside 0 to 4094. */
    static void checkVlan(int vlan) throws ControlException {
        if (vlan < 0 || vlan > 4094) {
            throw ControlException.badRequest("VLAN must be 0 to 4094, not " + vlan);
        }
    }
}

package io.switchd.port;

import java.util.ArrayList;
import java.util.List;

/** Reads and writes VLAN lists as operators type them: "1, 10-20". */
public final class VlanList {
    private VlanList() {}

    /** The VLAN ids of items such as "10", "10-20" or 7; throws IllegalArgumentException on anything else. */
    public static List<Integer> parse(List<?> items) {
        List<Integer> out = new ArrayList<>();
        for (Object item : items) {
            String text = String.valueOf(item).trim();
            for (String part : text.split(",")) {
                part = part.trim();
                if (part.isEmpty()) {
                    continue;
                }
                int dash = part.indexOf('-');
                int from;
                int to;
                try {
                    if (dash > 0) {
                        from = Integer.parseInt(part.substring(0, dash).trim());
                        to = Integer.parseInt(part.substring(dash + 1).trim());
                    } else {
                        from = Integer.parseInt(part);
                        to = from;
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + part + "\" is not a VLAN id or range such as 10-20");
                }
                if (from < 1 || to > PortPolicy.MAX_VID || from > to) {
                    throw new IllegalArgumentException("\"" + part + "\" is not within 1-" + PortPolicy.MAX_VID);
                }
                for (int v = from; v <= to; v++) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** The compact text of ascending ids: "1,10-20". */
    public static String format(List<Integer> vlans) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < vlans.size()) {
            int start = vlans.get(i);
            int end = start;
            while (i + 1 < vlans.size() && vlans.get(i + 1) == end + 1) {
                end = vlans.get(++i);
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(start);
            if (end > start) {
                sb.append('-').append(end);
            }
            i++;
        }
        return sb.toString();
    }
}

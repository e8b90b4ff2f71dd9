package io.switchd;

import io.switchd.api.model.FdbEntry;
import io.switchd.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The MAC table is listed a page at a time, in (bridge, VLAN, MAC) order, without gaps or repeats. */
class FdbListingTest {
    @Test
    void pagesCoverTheTableInOrder() throws Exception {
        // a netdev port whose interface never exists: absent, but static entries can name it
        String port = "zz" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
        try (Switchd s = Switchd.start(ConfigLoader.parse("switchd { threads = 1, state-file = \"\", bridges { "
                + "b1.ports." + port + " {}, a0 {} } }", "t.conf"))) {
            for (int i = 7; i >= 1; i--) {
                s.addStatic("b1", String.format("02:00:00:00:00:%02x", i), i % 2 == 0 ? 20 : 10, port);
            }
            List<String> paged = new ArrayList<>();
            for (int offset = 0; ; offset += 3) {
                List<FdbEntry> page = s.fdb(null, null, null, null, offset, 3);
                page.forEach(e -> paged.add(e.vlan() + " " + e.mac()));
                if (page.size() < 3) {
                    break;
                }
            }
            assertEquals(List.of("10 02:00:00:00:00:01", "10 02:00:00:00:00:03", "10 02:00:00:00:00:05",
                    "10 02:00:00:00:00:07", "20 02:00:00:00:00:02", "20 02:00:00:00:00:04", "20 02:00:00:00:00:06"), paged);
            assertEquals(2, s.fdb("b1", null, 20, null, 1, 100).size(), "filters apply before the page");
        }
    }
}

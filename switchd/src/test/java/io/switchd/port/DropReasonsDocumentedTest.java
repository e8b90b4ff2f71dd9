package io.switchd.port;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's table of drop reasons lists every reason switchd counts, with its direction, and
 * no other: a reason added or renamed without its line in the table fails here.
 */
class DropReasonsDocumentedTest {
    /** A row of the table: | `label` | rx or tx | meaning | what to do | */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| (rx|tx) \\| [^|]*\\S[^|]* \\| [^|]*\\S[^|]* \\|$",
            Pattern.MULTILINE);

    @Test
    void theReadmeTableHasEveryReasonWithItsDirection() throws Exception {
        Map<String, String> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(Path.of("..", "README.md")));
        while (m.find()) {
            documented.put(m.group(1), m.group(2));
        }
        Map<String, String> counted = new TreeMap<>();
        for (DropReason r : DropReason.values()) {
            counted.put(r.label(), r.egress() ? "tx" : "rx");
        }
        assertEquals(counted, documented, "README.md's drop reason table against DropReason");
    }
}

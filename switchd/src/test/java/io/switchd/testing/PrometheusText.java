package io.switchd.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** Checks Prometheus text exposition format line by line, and reads one sample's value. */
public final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            NAME + "(?:\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?\\})? (?:[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)|NaN|[-+]Inf)(?: -?[0-9]+)?");
    private static final Pattern HELP = Pattern.compile("# HELP " + NAME + "( .*)?");
    private static final Pattern TYPE = Pattern.compile("# TYPE " + NAME + " (counter|gauge|histogram|summary|untyped)");

    private PrometheusText() {}

    /** Fails the test at the first line that is not valid exposition format. */
    public static void validate(String text) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty() || l.startsWith("# EOF")) {
                continue;
            }
            boolean ok = l.startsWith("# HELP ") ? HELP.matcher(l).matches()
                    : l.startsWith("# TYPE ") ? TYPE.matcher(l).matches()
                    : SAMPLE.matcher(l).matches();
            if (!ok) {
                fail("line " + (i + 1) + " is not Prometheus text format: " + l);
            }
        }
    }

    /** The labels of the first sample named {@code name} (whatever its labels), or null when there is none. */
    public static Map<String, String> labels(String text, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{(.*)\\} \\S+$", Pattern.MULTILINE).matcher(text);
        if (!m.find()) {
            return null;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
        while (l.find()) {
            labels.put(l.group(1), l.group(2));
        }
        return labels;
    }

    /** The value of the sample whose name and labels are exactly {@code series}, or NaN when absent. */
    public static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}

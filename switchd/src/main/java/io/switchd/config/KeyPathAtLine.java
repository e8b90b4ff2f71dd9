package io.switchd.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * The key path a line of HOCON text sits at, found by following its braces and brackets: for the
 * mistakes the parser reports with a line only (a syntax error, a substitution that does not
 * resolve), so that those too name a key path. A best effort: quotes, comments and substitutions
 * are skipped, array elements are not numbered.
 */
final class KeyPathAtLine {
    private KeyPathAtLine() {}

    /** The path of the objects open at the end of line {@code line} (1-based), then that line's own key; "" at the top. */
    static String of(String text, int line) {
        Deque<String> open = new ArrayDeque<>(); // innermost first; "[" marks an array
        String[] lines = blankTripleQuoted(text).split("\n", -1);
        String lineKey = null;
        for (int i = 0; i < Math.min(line, lines.length); i++) {
            String l = lines[i];
            StringBuilder pending = new StringBuilder();
            lineKey = null;
            for (int c = 0; c < l.length(); c++) {
                char ch = l.charAt(c);
                if (ch == '"') {
                    int end = closingQuote(l, c);
                    pending.append(l, c, end + 1);
                    c = end;
                } else if (ch == '#' || (ch == '/' && c + 1 < l.length() && l.charAt(c + 1) == '/')) {
                    break;
                } else if (ch == '$' && c + 1 < l.length() && l.charAt(c + 1) == '{') {
                    int end = l.indexOf('}', c);
                    c = end < 0 ? l.length() : end;
                } else if (ch == '{' || ch == '[') {
                    String key = pending.toString().isBlank() && lineKey != null ? lineKey : key(pending);
                    open.push(ch == '[' ? "[" + key : key);
                    pending.setLength(0);
                    lineKey = null;
                } else if (ch == '}' || ch == ']') {
                    // on the mistake's own line a closer may be the mistake: what it closes still counts
                    if (i < line - 1 && !open.isEmpty() && (open.peek().startsWith("[") == (ch == ']'))) {
                        open.pop();
                    }
                    pending.setLength(0);
                } else if (ch == ',') {
                    pending.setLength(0);
                } else if ((ch == '=' || ch == ':') && lineKey == null && !pending.toString().isBlank()) {
                    lineKey = key(pending);
                    pending.setLength(0);
                } else {
                    pending.append(ch);
                }
            }
        }
        StringBuilder path = new StringBuilder();
        for (Iterator<String> it = open.descendingIterator(); it.hasNext(); ) {
            append(path, it.next().replaceFirst("^\\[", ""));
        }
        if (lineKey != null) {
            append(path, lineKey);
        }
        return path.toString();
    }

    /**
     * {@code text} with what is inside each triple-quoted string ("""...""", which may span lines)
     * turned to spaces, line breaks kept: the lines stay where they were, and a brace or quote in
     * such a string is not taken for one of the file's own.
     */
    static String blankTripleQuoted(String text) {
        StringBuilder sb = new StringBuilder(text);
        for (int start = text.indexOf("\"\"\""); start >= 0; ) {
            int end = text.indexOf("\"\"\"", start + 3);
            end = end < 0 ? text.length() : end;
            for (int i = start + 3; i < end; i++) {
                if (sb.charAt(i) != '\n') {
                    sb.setCharAt(i, ' ');
                }
            }
            start = end + 3 < text.length() ? text.indexOf("\"\"\"", end + 3) : -1;
        }
        return sb.toString();
    }

    private static int closingQuote(String l, int start) {
        for (int i = start + 1; i < l.length(); i++) {
            if (l.charAt(i) == '\\') {
                i++;
            } else if (l.charAt(i) == '"') {
                return i;
            }
        }
        return l.length() - 1;
    }

    private static String key(StringBuilder pending) {
        return pending.toString().replaceFirst("\\+$", "").trim();
    }

    private static void append(StringBuilder path, String key) {
        if (!key.isEmpty()) {
            if (path.length() > 0) {
                path.append('.');
            }
            path.append(key);
        }
    }
}

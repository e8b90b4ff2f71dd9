package io.switchd.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Where the { or [ that a HOCON text never closes was opened. The parser reports only the end of
 * the file, where nothing is wrong; the operator needs the line that lacks its }. Quotes,
 * triple-quoted strings, comments and substitutions are skipped.
 *
 * <p>Which opener lacks its closer is a guess when there are several: a } that closes an opener
 * indented deeper than itself most likely belongs to an outer one, so that opener is the one
 * whose } is missing; without such a hint, the innermost opener still open at the end.
 */
final class UnclosedBrace {
    /** An opening brace or bracket: its line (1-based), its offset in the text and the character. */
    record Opener(int line, int offset, char brace, int indent) {}

    private UnclosedBrace() {}

    /** The opener {@code text} never closes, if any. */
    static Optional<Opener> find(String original) {
        String text = KeyPathAtLine.blankTripleQuoted(original);
        Deque<Opener> open = new ArrayDeque<>();
        Opener suspect = null;
        int line = 1;
        int lineStart = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
            } else if (text.startsWith("\"\"\"", i)) {
                i += 2; // its inside is blanked above; the closing quotes are met as an opening pair next
            } else if (c == '"') {
                i = closingQuote(text, i);
            } else if (c == '#' || text.startsWith("//", i)) {
                i = endOfLine(text, i) - 1;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i);
                i = end < 0 ? n : end;
            } else if (c == '{' || c == '[') {
                open.push(new Opener(line, i, c, indent(text, lineStart)));
            } else if ((c == '}' || c == ']') && !open.isEmpty()) {
                Opener o = open.pop();
                boolean firstOnLine = text.substring(lineStart, i).isBlank();
                if (suspect == null && firstOnLine && i - lineStart < o.indent()) {
                    suspect = o;
                }
            }
        }
        if (open.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(suspect != null ? suspect : open.peek());
    }

    private static int closingQuote(String text, int start) {
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"' || c == '\n') {
                return c == '"' ? i : i - 1;
            }
        }
        return text.length();
    }

    private static int endOfLine(String text, int from) {
        int end = text.indexOf('\n', from);
        return end < 0 ? text.length() : end;
    }

    private static int indent(String text, int lineStart) {
        int i = lineStart;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i - lineStart;
    }
}

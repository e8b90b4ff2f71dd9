package io.switchd.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses an include of a file that does not exist, naming the file, line and key path of the
 * include: HOCON itself skips such an include in silence, and with it every setting the operator
 * meant it to bring. Followed through included files too.
 */
final class Includes {
    /** include "f", include file("f"), include required("f"), include required(file("f")). */
    private static final Pattern FILE_INCLUDE = Pattern.compile(
            "^\\s*include\\s+(?:required\\(\\s*)?(?:file\\(\\s*)?\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Includes() {}

    /** Checks the includes of {@code file} and of the files it includes. */
    static void check(Path file) throws ConfigError {
        check(file, new HashSet<>());
    }

    private static void check(Path file, Set<Path> seen) throws ConfigError {
        if (!seen.add(file.toAbsolutePath().normalize())) {
            return;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            return; // the parser reports what it cannot read
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = FILE_INCLUDE.matcher(lines[i]);
            if (!m.find()) {
                continue;
            }
            Path target = Path.of(m.group(1));
            if (!target.isAbsolute() && file.getParent() != null) {
                target = file.getParent().resolve(target);
            }
            if (!Files.isRegularFile(target)) {
                throw new ConfigError(file.toString(), i + 1, KeyPathAtLine.of(text, i + 1),
                        "include of a missing file: " + target);
            }
            check(target, seen);
        }
    }
}

package io.switchd.config;

/** A configuration mistake, located by file, line and key path. */
public final class ConfigError extends Exception {
    private final String file;
    private final int line;
    private final String path;
    private final String problem;

    public ConfigError(String file, int line, String path, String problem) {
        super(format(file, line, path, problem));
        this.file = file;
        this.line = line;
        this.path = path;
        this.problem = problem;
    }

    private static String format(String file, int line, String path, String problem) {
        StringBuilder sb = new StringBuilder(file == null ? "(built-in defaults)" : file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (path != null && !path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The file the mistake is in. */
    public String file() {
        return file;
    }

    /** The line, or -1 when unknown. */
    public int line() {
        return line;
    }

    /** The key path, such as switchd.bridges.br0.ageing-time. */
    public String path() {
        return path;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }
}

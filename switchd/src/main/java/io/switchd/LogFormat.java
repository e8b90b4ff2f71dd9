package io.switchd;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * One line per event on stdout, no colours. Under systemd (JOURNAL_STREAM set) the line carries a
 * syslog priority prefix, which journald reads, instead of a timestamp, which journald adds.
 */
final class LogFormat extends Formatter {
    private final boolean journal;

    LogFormat(boolean journal) {
        this.journal = journal;
    }

    /** Sends every logger's output, Netty's included, to stdout in this format. */
    static void install() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        // Not ConsoleHandler: pointing it at stdout closes the stream it had, System.err.
        Handler out = new StreamHandler(System.out, new LogFormat(System.getenv("JOURNAL_STREAM") != null)) {
            @Override
            public synchronized void publish(LogRecord r) {
                super.publish(r);
                flush();
            }

            @Override
            public synchronized void close() {
                flush();
            }
        };
        out.setLevel(Level.ALL);
        root.addHandler(out);
        root.setLevel(Level.INFO);
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder(128);
        if (journal) {
            sb.append('<').append(priority(r.getLevel())).append('>');
        } else {
            sb.append(Instant.ofEpochMilli(r.getMillis())).append(' ');
        }
        sb.append(label(r.getLevel())).append(' ').append(formatMessage(r).replace('\n', ' '));
        if (r.getThrown() != null) {
            StringWriter sw = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(sw));
            sb.append(": ").append(sw.toString().replace('\n', ' ').replace('\t', ' '));
        }
        return sb.append('\n').toString();
    }

    private static int priority(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return 3;
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return 4;
        }
        return level.intValue() >= Level.INFO.intValue() ? 6 : 7;
    }

    private static String label(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return "warning";
        }
        return level.intValue() >= Level.INFO.intValue() ? "info" : "debug";
    }
}

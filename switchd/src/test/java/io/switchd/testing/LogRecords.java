package io.switchd.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What switchd's loggers (io.switchd.*) log in this JVM while it is open, for tests that assert
 * what an operator reads and at which level.
 */
public final class LogRecords extends Handler implements AutoCloseable {
    private static final Logger SWITCHD = Logger.getLogger("io.switchd");
    private final List<LogRecord> records = new ArrayList<>();

    private LogRecords() {
        setLevel(Level.ALL);
    }

    /** Starts recording. */
    public static LogRecords capture() {
        LogRecords r = new LogRecords();
        SWITCHD.addHandler(r);
        return r;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** The messages recorded at {@code level} exactly, in order. */
    public synchronized List<String> at(Level level) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            if (r.getLevel().equals(level)) {
                out.add(r.getMessage());
            }
        }
        return out;
    }

    /** The messages recorded at {@code level} that contain {@code text}. */
    public List<String> at(Level level, String text) {
        List<String> out = new ArrayList<>();
        for (String m : at(level)) {
            if (m.contains(text)) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        SWITCHD.removeHandler(this);
    }
}

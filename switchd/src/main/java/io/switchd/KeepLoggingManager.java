package io.switchd;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager closes every handler from its own shutdown hook, racing ours, so the
 * daemon's last lines ("stopping", "removed tap ...") would be lost. This one keeps logging
 * until the JVM is gone.
 */
public final class KeepLoggingManager extends LogManager {
    @Override
    public void reset() {
        // deliberately kept: see the class comment
    }
}

package io.switchd;

import io.switchd.api.model.ReloadSummary;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.SwitchdConfig;
import io.switchd.sys.SdNotify;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the config file again and applies it to the running switch, for SIGHUP and
 * {@code POST /v1/reload}: one reload at a time, logged, and told to systemd (RELOADING=1, then
 * READY=1). A config file with a mistake is refused with the message a start would give, and the
 * running configuration stays.
 */
public final class Reloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reloader.class.getName());

    private final Path configFile;
    private final Switchd switchd;
    private final String notifySocket;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "switchd-reload");
        t.setDaemon(true);
        return t;
    });

    /** Reloads {@code switchd} from {@code configFile}, telling {@code notifySocket} (null for nobody). */
    public Reloader(Path configFile, Switchd switchd, String notifySocket) {
        this.configFile = configFile;
        this.switchd = switchd;
        this.notifySocket = notifySocket;
    }

    /** Reloads now and says what changed; a mistake in the config file is thrown, and nothing changes. */
    public synchronized ReloadSummary reload() throws ConfigError {
        // CLOCK_MONOTONIC, which System.nanoTime reads on Linux: systemd matches reload cycles by it.
        SdNotify.send(notifySocket, "RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=reloading "
                + configFile);
        try {
            SwitchdConfig next;
            try {
                next = ConfigLoader.load(configFile);
            } catch (ConfigError e) {
                LOG.warning("reload refused: bad configuration: " + e.getMessage() + "; the running configuration stays");
                throw e;
            }
            ReloadSummary summary = switchd.reload(next);
            log(summary);
            return summary;
        } finally {
            SdNotify.send(notifySocket, "READY=1\nSTATUS=" + Daemon.status(switchd));
        }
    }

    /** Reloads on the reload thread, for a signal handler, which must not wait; the outcome is logged. */
    public void reloadLater() {
        try {
            background.execute(() -> {
                try {
                    reload();
                } catch (ConfigError e) {
                    // logged by reload()
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "reload failed: " + e.getMessage(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.info("reload ignored: switchd is stopping");
        }
    }

    private void log(ReloadSummary s) {
        LOG.info("reloaded " + configFile + ": " + s.changes().size() + " change(s), " + s.unchangedPorts()
                + " port(s) untouched");
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}

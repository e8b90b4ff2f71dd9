package io.switchd;

import io.switchd.config.BridgeConfig;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.ConfigMerge;
import io.switchd.config.SavedState;
import io.switchd.config.SwitchdConfig;
import io.switchd.control.ApiRouter;
import io.switchd.control.ControlServer;
import io.switchd.control.StateFile;
import io.switchd.metrics.SwitchdMetrics;
import io.switchd.sys.SdNotify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The whole service: the switch, its state file, metrics, the control API, reloads, and systemd's
 * notify protocol (READY=1 once every configured port is attached, STATUS= while starting and
 * stopping, WATCHDOG=1 while every forwarding loop answers, RELOADING=1 while reloading).
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final Switchd switchd;
    private final SwitchdMetrics metrics;
    private final ControlServer control;
    private final ScheduledExecutorService watchdog;
    private final String notifySocket;
    private final Reloader reloader;

    private Daemon(Switchd switchd, SwitchdMetrics metrics, ControlServer control, ScheduledExecutorService watchdog,
                   String notifySocket, Reloader reloader) {
        this.notifySocket = notifySocket;
        this.reloader = reloader;
        this.switchd = switchd;
        this.metrics = metrics;
        this.control = control;
        this.watchdog = watchdog;
    }

    /**
     * Starts everything {@code configFile} describes, with the API's changes from the state file
     * merged in, and tells systemd, if {@code notifySocket} is set, that we are ready.
     */
    public static Daemon start(Path configFile, String notifySocket) throws ConfigError {
        return start(configFile, notifySocket, daemon -> { });
    }

    /**
     * {@link #start(Path, String)}, handing the daemon to {@code started} before systemd hears
     * READY=1: a reload asked for (by SIGHUP) as soon as READY=1 is out must find it.
     */
    public static Daemon start(Path configFile, String notifySocket, Consumer<Daemon> started) throws ConfigError {
        SwitchdConfig config = ConfigLoader.load(configFile);
        SavedState saved = ConfigLoader.loadState(config.stateFile());
        SdNotify.send(notifySocket, "STATUS=attaching ports");
        ControlServer.prepareDirectory(config.control());
        Switchd switchd = Switchd.start(config, configFile, bridgesToRun(config, saved));
        SwitchdMetrics metrics = null;
        ControlServer control = null;
        Reloader reloader = new Reloader(configFile, switchd, notifySocket);
        try {
            if (config.stateFile() != null) {
                StateFile state = new StateFile(config.stateFile());
                switchd.onChange(() -> {
                    try {
                        state.write(switchd.snapshot(), switchd.config().bridges());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                if (saved != null) {
                    saveBase(switchd, state);
                }
            }
            metrics = new SwitchdMetrics(switchd, config.metrics().fdbEntriesLimit());
            control = ControlServer.start(new ApiRouter(switchd, metrics, reloader,
                    new io.switchd.capture.Captures(config.control().maxCaptures())), config.control(), config.metrics());
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            reloader.close();
            switchd.close();
            throw e;
        }
        ScheduledExecutorService watchdog = startWatchdog(switchd, notifySocket);
        Daemon daemon = new Daemon(switchd, metrics, control, watchdog, notifySocket, reloader);
        started.accept(daemon);
        SdNotify.send(notifySocket, "READY=1\nSTATUS=" + status(switchd));
        return daemon;
    }

    /**
     * The bridges to start with: the config file's alone without a state file; with one, its
     * bridges with what the config file changed since the file's base applied over them.
     */
    private static List<BridgeConfig> bridgesToRun(SwitchdConfig config, SavedState saved) {
        if (saved == null) {
            return config.bridges();
        }
        List<BridgeConfig> base = saved.base();
        if (base == null) {
            // Written before switchd could reload: it replaced the config file's bridges, and still does, once.
            LOG.info("bridges from " + config.stateFile() + " as the API left them; edits to the config file "
                    + "apply from the next reload or start on");
            base = config.bridges();
        } else {
            LOG.info("bridges from the config file, with the API's changes from " + config.stateFile());
        }
        ConfigMerge.Result merged = ConfigMerge.merge(base, config.bridges(), saved.bridges());
        for (String c : merged.conflicts()) {
            LOG.warning("conflict: " + c);
        }
        return merged.bridges();
    }

    /** Records at once that the state file is now based on this config file, so its edits are not applied twice. */
    private static void saveBase(Switchd switchd, StateFile state) {
        try {
            state.write(switchd.snapshot(), switchd.config().bridges());
        } catch (IOException e) {
            LOG.warning("could not update " + state.path() + ": " + e.getMessage());
        }
    }

    /** The STATUS= line while forwarding. */
    static String status(Switchd switchd) {
        return "forwarding: " + switchd.bridges().size() + " bridge(s), " + switchd.portCount() + " port(s)";
    }

    private static ScheduledExecutorService startWatchdog(Switchd switchd, String notifySocket) {
        long micros = SdNotify.watchdogMicros();
        if (micros <= 0) {
            return null;
        }
        long periodMillis = Math.max(1, micros / 2000);
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchd-watchdog");
            t.setDaemon(true);
            return t;
        });
        s.scheduleAtFixedRate(() -> {
            if (switchd.dataPlane().heartbeat(micros / 1000)) {
                SdNotify.send(notifySocket, "WATCHDOG=1");
            } else {
                LOG.severe("a forwarding loop stopped answering: no watchdog ping");
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
        LOG.info("systemd watchdog every " + periodMillis + " ms");
        return s;
    }

    /** The running switch. */
    public Switchd switchd() {
        return switchd;
    }

    /** What reloads the config file: SIGHUP and the API. */
    public Reloader reloader() {
        return reloader;
    }

    /** The control server. */
    public ControlServer control() {
        return control;
    }

    @Override
    public void close() {
        SdNotify.send(notifySocket, "STOPPING=1\nSTATUS=stopping: closing ports");
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        reloader.close();
        control.close();
        switchd.close();
        metrics.close();
    }
}

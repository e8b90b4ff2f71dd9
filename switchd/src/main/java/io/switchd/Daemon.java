package io.switchd;

import io.switchd.config.SwitchdConfig;
import io.switchd.control.ApiRouter;
import io.switchd.control.ControlServer;
import io.switchd.control.StateFile;
import io.switchd.metrics.SwitchdMetrics;
import io.switchd.sys.SdNotify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The whole service: the switch, its state file, metrics, the control API, and systemd's notify
 * protocol (READY=1 once every configured port is attached, STATUS= while starting and stopping,
 * WATCHDOG=1 while every forwarding loop answers).
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final Switchd switchd;
    private final SwitchdMetrics metrics;
    private final ControlServer control;
    private final ScheduledExecutorService watchdog;
    private final String notifySocket;

    private Daemon(Switchd switchd, SwitchdMetrics metrics, ControlServer control, ScheduledExecutorService watchdog,
                   String notifySocket) {
        this.notifySocket = notifySocket;
        this.switchd = switchd;
        this.metrics = metrics;
        this.control = control;
        this.watchdog = watchdog;
    }

    /** Starts everything {@code config} describes and tells systemd, if it is listening, that we are ready. */
    public static Daemon start(SwitchdConfig config) {
        return start(config, System.getenv("NOTIFY_SOCKET"));
    }

    /** As {@link #start(SwitchdConfig)}, notifying {@code notifySocket} (null for nobody). */
    public static Daemon start(SwitchdConfig config, String notifySocket) {
        SdNotify.send(notifySocket, "STATUS=attaching ports");
        Switchd switchd = Switchd.start(config);
        SwitchdMetrics metrics = null;
        ControlServer control = null;
        try {
            if (config.stateFile() != null) {
                StateFile state = new StateFile(config.stateFile());
                switchd.onChange(() -> {
                    try {
                        state.write(switchd.snapshot());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            metrics = new SwitchdMetrics(switchd, config.metrics().fdbEntriesLimit());
            control = ControlServer.start(new ApiRouter(switchd, metrics), config.control(), config.metrics());
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            switchd.close();
            throw e;
        }
        ScheduledExecutorService watchdog = startWatchdog(switchd, notifySocket);
        int ports = switchd.portCount();
        SdNotify.send(notifySocket, "READY=1\nSTATUS=forwarding: " + switchd.bridges().size() + " bridge(s), " + ports + " port(s)");
        return new Daemon(switchd, metrics, control, watchdog, notifySocket);
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
        control.close();
        switchd.close();
        metrics.close();
    }
}

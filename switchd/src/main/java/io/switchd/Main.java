package io.switchd;

import io.switchd.api.cli.UsageError;
import io.switchd.config.ConfigError;
import io.switchd.config.ConfigLoader;
import io.switchd.config.SwitchdConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's command line: {@code switchd --config FILE}, in the foreground until SIGTERM or
 * SIGINT; SIGHUP reads the config file again.
 */
@Command(name = "switchd", mixinStandardHelpOptions = true, version = "switchd 0.1.0",
        description = "A userspace virtual Ethernet switch: bridges of TAP and netdev ports.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:--check found the configuration valid; --help, --version", "1:could not start",
            "2:bad configuration or usage",
            "143:stopped by SIGTERM, the ports closed (128 + 15, as any JVM; the systemd unit counts it a success)",
            "130:stopped by SIGINT (Ctrl-C), the ports closed"})
public final class Main implements Callable<Integer> {
    static {
        // Before the first Logger: the LogManager class is fixed when it initialises.
        System.setProperty("java.util.logging.manager", KeepLoggingManager.class.getName());
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    // checked in call(), not by picocli: its missing-option message would hide an unknown option's
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The HOCON configuration file (needed).")
    private Path config;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--check", description = "Validate the configuration and exit.")
    private boolean check;

    public static void main(String[] args) {
        LogFormat.install();
        int status = new CommandLine(new Main()).setParameterExceptionHandler(new UsageError()).execute(args);
        System.exit(status);
    }

    @Override
    public Integer call() {
        if (config == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config FILE is needed");
        }
        try {
            SwitchdConfig cfg = ConfigLoader.load(config);
            ConfigLoader.loadState(cfg.stateFile());
        } catch (ConfigError e) {
            System.err.println("switchd: bad configuration: " + e.getMessage());
            return 2;
        }
        if (check) {
            System.out.println(config + ": configuration is valid");
            return 0;
        }
        AtomicReference<Daemon> running = new AtomicReference<>();
        reloadOnSighup(running);
        Daemon daemon;
        try {
            daemon = Daemon.start(config, System.getenv("NOTIFY_SOCKET"), running::set);
        } catch (ConfigError e) {
            System.err.println("switchd: bad configuration: " + e.getMessage());
            return 2;
        } catch (StartupException e) {
            LOG.severe("could not start: " + e.getMessage());
            return 1;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            LOG.log(Level.SEVERE, "could not start: " + e.getMessage(), e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            daemon.close();
            stopped.countDown();
        }, "switchd-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Makes SIGHUP reload the config file (by default it would stop the JVM). Installed before the
     * start, so a SIGHUP that comes early is ignored rather than fatal. A SIGHUP ignored when the
     * JVM started (nohup) stays ignored, the handler silently not installed: say so.
     */
    private static void reloadOnSighup(AtomicReference<Daemon> running) {
        try {
            SignalHandler before = Signal.handle(new Signal("HUP"), signal -> {
                Daemon d = running.get();
                if (d == null) {
                    LOG.warning("SIGHUP while starting: ignored; send it again once switchd is ready");
                } else {
                    d.reloader().reloadLater();
                }
            });
            if (before == SignalHandler.SIG_IGN) {
                LOG.warning("SIGHUP was ignored when switchd started (nohup?) and stays ignored: reload with switchctl reload");
            }
        } catch (IllegalArgumentException e) {
            LOG.warning("cannot handle SIGHUP (" + e.getMessage() + "); reload with switchctl reload");
        }
    }
}

package io.switchd.api.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchctl's help, walked command by command over picocli's model, so that a command added later
 * is checked too; and what a usage mistake prints. No daemon: none of this reaches one.
 */
class SwitchctlHelpTest {
    /** The words that name each command after "switchctl", from "" (switchctl itself) to "port set". */
    static List<String> commands() {
        List<String> out = new ArrayList<>();
        walk(Switchctl.commandLine(), "", out, new IdentityHashMap<>());
        return out;
    }

    private static void walk(CommandLine cmd, String path, List<String> out, Map<CommandLine, Boolean> seen) {
        if (seen.put(cmd, true) != null) {
            return; // an alias
        }
        out.add(path);
        cmd.getSubcommands().forEach((name, sub) -> walk(sub, (path + " " + name).trim(), out, seen));
    }

    @ParameterizedTest(name = "switchctl {0} --help")
    @MethodSource("commands")
    void everyCommandHasHelpThatFitsAndDescribesEachOptionAndArgument(String path) {
        Run r = run(words(path, "--help"));
        String name = ("switchctl " + path).trim();
        assertEquals(0, r.status, r.err);
        assertEquals("", r.err);
        assertTrue(r.out.startsWith("Usage: " + name + " "), r.out);
        for (String line : r.out.split("\n")) {
            assertTrue(line.length() <= 80, "over 80 columns: " + line);
        }
        CommandSpec spec = spec(path);
        for (String line : spec.usageMessage().description()) {
            // a description laid out by hand shows as written: not broken where it does not fit
            if (line.length() < 80) {
                assertTrue(r.out.contains("\n" + line.stripTrailing() + "\n"), "\"" + line + "\" not whole in:\n" + r.out);
            }
        }
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            assertTrue(a.description().length > 0 && !String.join("", a.description()).isBlank(),
                    name + ": " + a + " has no description");
        }
        assertEquals(r.out, run(words("help " + path)).out, "switchctl help " + path + " prints the same");
    }

    @Test
    void aUsageMistakeSaysWhatAndPointsToTheHelpOfTheCommandThatFailed() {
        Run r = run("port", "set", "br0");
        assertEquals(2, r.status);
        assertEquals("switchctl: Missing required parameters: 'IFNAME', 'SETTING'\n"
                + "Try 'switchctl port set --help' for more information.\n", r.err);
        assertEquals("", r.out);

        r = run("fdb", "show", "--bogus");
        assertEquals(2, r.status);
        assertTrue(r.err.endsWith("Try 'switchctl fdb show --help' for more information.\n"), r.err);
        assertFalse(r.err.contains("Usage:"), r.err);

        r = run("port", "lst");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("Did you mean: port list?"), r.err);
        assertTrue(r.err.endsWith("Try 'switchctl port --help' for more information.\n"), r.err);

        r = run("port");
        assertEquals(2, r.status);
        assertEquals("switchctl: a command is needed (add, del, list, reset, set, show)\n"
                + "Try 'switchctl port --help' for more information.\n", r.err);

        r = run();
        assertEquals(2, r.status);
        assertTrue(r.err.startsWith("switchctl: a command is needed (bridge, port, fdb, stp, stats, capture, mirror, reload, help"), r.err);
        assertTrue(r.err.endsWith("Try 'switchctl --help' for more information.\n"), r.err);
    }

    @Test
    void helpIsACommand() {
        Run r = run("help");
        assertEquals(0, r.status, r.err);
        assertEquals(run("--help").out, r.out);
        StringWriter whole = new StringWriter();
        Switchctl.commandLine().usage(new PrintWriter(whole, true));
        assertEquals(whole.toString(), r.out, "the commands a call does not name are listed as in full");
        assertEquals(run("port", "--help").out, run("help", "port").out);

        r = run("help", "port", "nope");
        assertEquals(2, r.status);
        assertEquals("switchctl: switchctl port has no command nope\n"
                + "Try 'switchctl port --help' for more information.\n", r.err);
    }

    private static String[] words(String... parts) {
        return String.join(" ", parts).trim().split(" +");
    }

    private static CommandSpec spec(String path) {
        CommandLine cmd = Switchctl.commandLine();
        for (String name : path.isEmpty() ? new String[0] : path.split(" ")) {
            cmd = cmd.getSubcommands().get(name);
        }
        return cmd.getCommandSpec();
    }

    /** Runs switchctl with {@code args}, its output and errors captured. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] words = Arrays.stream(args).filter(a -> !a.isEmpty()).toArray(String[]::new);
        CommandLine cmd = Switchctl.commandLine(words); // as a call builds it: the commands named in full, the rest listed
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int status = cmd.execute(words);
        return new Run(status, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    /** An exit status and what was printed. */
    record Run(int status, String out, String err) {}
}

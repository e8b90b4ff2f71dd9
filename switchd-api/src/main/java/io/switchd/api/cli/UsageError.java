package io.switchd.api.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * How switchctl and switchd answer a usage mistake: what is wrong, the command meant if a name was
 * mistyped, and which command's --help to read, rather than the whole usage of the top command.
 * Exit status 2.
 */
public final class UsageError implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine failed = innermost(ex.getCommandLine());
        PrintWriter err = failed.getErr();
        // picocli's words for a group command (switchctl port) run alone; it has no exception type of its own
        String message = ex.getMessage().equals("Missing required subcommand") ? commandNeeded(failed) : ex.getMessage();
        err.println(failed.getCommandSpec().root().name() + ": " + message);
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
        return failed.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** "a command is needed (list, add, ...)": for a command that does nothing without a subcommand. */
    static String commandNeeded(CommandLine cmd) {
        return "a command is needed (" + String.join(", ", cmd.getSubcommands().keySet()) + ")";
    }

    /**
     * The deepest command parsed under {@code cmd}: a command's own checks (port set's words) throw
     * with the top command, as a method command has no spec of its own to throw with.
     */
    private static CommandLine innermost(CommandLine cmd) {
        CommandLine.ParseResult parsed = cmd.getParseResult();
        while (parsed != null && parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
            cmd = parsed.commandSpec().commandLine();
        }
        return cmd;
    }
}

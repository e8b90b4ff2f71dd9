package io.switchd.api.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code switchctl help [COMMAND...]}: the help of any command, however deep ({@code help port set}),
 * as {@code switchctl port set --help} prints it. Picocli's own help command goes one level down only.
 */
@Command(name = "help", helpCommand = true, description = "Show the help of switchctl or of a command, "
        + "as COMMAND --help does.")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, such as: port set.")
    List<String> path = List.of();

    private CommandLine self;
    private PrintWriter out;
    private CommandLine.Help.ColorScheme colors;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter outWriter,
                     PrintWriter errWriter) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = outWriter;
    }

    @Override
    public void run() {
        CommandLine command = self.getParent();
        for (String name : path) {
            CommandLine sub = command.getSubcommands().get(name);
            if (sub == null) {
                throw new CommandLine.ParameterException(command, command.getCommandSpec().qualifiedName()
                        + " has no command " + name);
            }
            command = sub;
        }
        command.usage(out, colors);
    }
}

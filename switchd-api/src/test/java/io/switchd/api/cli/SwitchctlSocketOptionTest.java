package io.switchd.api.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --socket in two places: before the command it is the control socket (as -s is anywhere); after
 * {@code port add} it is the vhost-user port's socket. No daemon: only the parse is looked at.
 */
class SwitchctlSocketOptionTest {
    private static Switchctl root(CommandLine cl) {
        return cl.getCommand();
    }

    private static ParseResult parse(CommandLine cl, String... args) {
        return cl.parseArgs(args);
    }

    private static String vhostSocket(ParseResult r) {
        return r.subcommand().subcommand().matchedOptionValue(Switchctl.VHOST_USER_SOCKET, null);
    }

    @Test
    void theGlobalSocketBeforePortAddAndTheVhostUserSocketAfterItAreTwoThings() {
        String[] args = {"--socket", "/run/ctl.sock", "port", "add", "br0", "vm3", "--type", "vhost-user",
            "--socket", "/run/switchd/vm3.sock", "--mode", "client"};
        CommandLine cl = Switchctl.commandLine(args);
        ParseResult r = parse(cl, args);
        assertEquals(Path.of("/run/ctl.sock"), root(cl).socket);
        assertEquals("/run/switchd/vm3.sock", vhostSocket(r));
        assertEquals("client", r.subcommand().subcommand().matchedOptionValue("--mode", null));
    }

    @Test
    void shortSBeforeOrAfterPortAddIsTheControlSocket() {
        String[] before = {"-s", "/run/a.sock", "port", "add", "br0", "vm3", "--type", "vhost-user",
            "--socket", "/run/vm3.sock"};
        CommandLine cl = Switchctl.commandLine(before);
        ParseResult r = parse(cl, before);
        assertEquals(Path.of("/run/a.sock"), root(cl).socket);
        assertEquals("/run/vm3.sock", vhostSocket(r));

        String[] after = {"port", "add", "br0", "vm3", "-s", "/run/b.sock", "--socket", "/run/vm3.sock"};
        cl = Switchctl.commandLine(after);
        r = parse(cl, after);
        assertEquals(Path.of("/run/b.sock"), root(cl).socket);
        assertEquals("/run/vm3.sock", vhostSocket(r));
    }

    @Test
    void withoutAnySocketTheControlSocketIsTheDefaultAndTheVhostUserSocketIsNone() {
        String[] args = {"port", "add", "br0", "eth1"};
        CommandLine cl = Switchctl.commandLine(args);
        ParseResult r = parse(cl, args);
        assertNull(vhostSocket(r));
        assertTrue(root(cl).socket.isAbsolute(), root(cl).socket.toString());
    }

    @Test
    void otherCommandsStillTakeTheControlSocketAfterTheCommand() {
        String[] args = {"port", "list", "--socket", "/run/c.sock"};
        CommandLine cl = Switchctl.commandLine(args);
        parse(cl, args);
        assertEquals(Path.of("/run/c.sock"), root(cl).socket);
    }

    @Test
    void portAddsHelpSaysWhichSocketIsWhich() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine cl = Switchctl.commandLine("port", "add", "--help");
        cl.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cl.execute("port", "add", "--help"));
        String help = out.toString();
        assertTrue(help.contains("--socket=PATH"), help);
        assertTrue(help.contains("vhost-user only"), help);
        assertTrue(help.contains("-s=SOCKET"), help);
        assertTrue(help.contains("--type vhost-user --socket /run/switchd/vm3.sock"), help);
    }
}

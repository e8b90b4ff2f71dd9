package io.switchd.api.cli;

import io.switchd.api.client.ApiException;
import io.switchd.api.hook.LibvirtDomain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** switchctl hook: what a hypervisor's hook script runs (systemd/switchd-libvirt-hook). */
@Command(name = "hook", mixinStandardHelpOptions = true, subcommands = Hook.Libvirt.class,
        description = "Attach and detach VMs' interfaces as a hypervisor's hook.")
final class Hook {
    @ParentCommand
    Switchctl root;

    @Command(name = "libvirt", mixinStandardHelpOptions = true, description = {
        "libvirt's QEMU hook (/etc/libvirt/hooks/qemu runs it with the domain XML on stdin).",
        "started: each <interface type='ethernet'> target is set up and added to the bridge with owner "
            + "libvirt:DOMAIN (one the bridge has already stays as it is).",
        "stopped, release: each such port added with that owner is deleted; others stay.",
        "Other operations do nothing."})
    static final class Libvirt implements Callable<Integer> {
        @ParentCommand
        Hook hook;

        @Option(names = "--bridge", paramLabel = "BR", defaultValue = "${env:SWITCHD_BRIDGE:-br0}",
                description = "the bridge (default: $SWITCHD_BRIDGE, else br0)")
        String bridge;

        @Parameters(index = "0", paramLabel = "DOMAIN", description = "the domain's name")
        String domain;

        @Parameters(index = "1", paramLabel = "OPERATION", description = "started, stopped, release, ...")
        String operation;

        @Parameters(index = "2..*", paramLabel = "ARG", description = "libvirt's sub-operation and extra argument "
                + "(not used)")
        List<String> rest;

        @Override
        public Integer call() throws Exception {
            boolean attach = operation.equals("started");
            if (!attach && !operation.equals("stopped") && !operation.equals("release")) {
                return 0;
            }
            List<String> targets;
            try {
                targets = LibvirtDomain.ethernetTargets(System.in);
            } catch (IllegalArgumentException e) {
                return fail("domain " + domain + ": " + e.getMessage());
            }
            String owner = "libvirt:" + domain;
            PortAttachment ports = new PortAttachment(hook.root);
            int status = 0;
            for (String dev : targets) {
                try {
                    if (attach) {
                        linkUp(dev);
                        ports.add(bridge, dev, "netdev", false, owner, true);
                    } else {
                        ports.delete(bridge, dev, owner, true);
                    }
                } catch (ApiException | IllegalStateException e) {
                    // the domain's other interfaces are still to be done
                    status = fail("domain " + domain + ": " + dev + ": " + e.getMessage());
                }
            }
            return status;
        }

        /** Sets the interface up, as QEMU's ifup script would, so its port forwards once attached. */
        private static void linkUp(String dev) throws InterruptedException {
            ProcessBuilder ip = new ProcessBuilder("ip", "link", "set", "dev", dev, "up")
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            try {
                Process p = ip.start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("ip link set dev " + dev + " up did not finish within 30 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("ip link set dev " + dev + " up failed (exit status "
                            + p.exitValue() + ")");
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run ip (iproute2): " + e.getMessage());
            }
        }

        private static int fail(String message) {
            System.err.println("switchctl: hook libvirt: " + message);
            return 1;
        }
    }
}

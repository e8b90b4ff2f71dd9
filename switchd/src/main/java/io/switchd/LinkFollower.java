package io.switchd;

import io.switchd.bridge.Bridge;
import io.switchd.config.PortConfig;
import io.switchd.config.PortType;
import io.switchd.port.kind.PortKinds;
import io.switchd.link.LinkListener;
import io.switchd.port.FdPort;
import io.switchd.port.Port;
import io.switchd.port.PortState;
import io.switchd.port.TapPort;
import io.switchd.sys.Errno;
import io.switchd.sys.Interfaces;
import io.switchd.sys.SysException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * Keeps every port in line with its interface, as the kernel bridge does: down or without carrier,
 * the port stops forwarding and forgets what it learned; deleted, it waits, absent, for an
 * interface of its name and attaches to it by itself; renamed or with a new MTU, it follows. A TAP
 * that switchd made for its port, and that is not persistent, is made again when it is destroyed
 * (as Open vSwitch makes its internal ports again): the configuration says the port exists.
 *
 * <p>Link notifications only say where to look: the interface itself is asked (so a lost or
 * reordered notification cannot leave a port wrong). The work runs on the maintenance thread,
 * under the switch's lock like any operator change, never on a forwarding loop.
 */
final class LinkFollower implements LinkListener {
    private static final Logger LOG = Logger.getLogger(LinkFollower.class.getName());

    /** The first wait before trying again to open an interface that refused (a TAP still held by its maker). */
    private static final long FIRST_RETRY_MILLIS = 50;
    /** The longest wait between tries: an interface held by another program may be let go any time. */
    private static final long MAX_RETRY_MILLIS = 5000;

    private final Switchd switchd;
    private final ScheduledExecutorService executor;
    /** Ports whose interface exists but would not open, and how long to wait before the next try. */
    private final Map<String, Long> retryMillis = new HashMap<>();

    LinkFollower(Switchd switchd, ScheduledExecutorService executor) {
        this.switchd = switchd;
        this.executor = executor;
    }

    @Override
    public void linkChanged(int index, String name) {
        submit(() -> follow(index, name));
    }

    @Override
    public void resync() {
        submit(this::followAll);
    }

    /**
     * A forwarding loop found the interface of {@code port} gone and stopped reading it: the only
     * news of a TAP destroyed in another namespace, which ours never saw.
     */
    void portLost(FdPort port) {
        submit(() -> {
            synchronized (switchd) {
                Bridge b = port.bridge();
                if (b != null && b.portAt(port.index()) == port) { // not deleted or replaced since
                    follow(b, port, true);
                }
            }
        });
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // shutting down: nothing to follow any more
        }
    }

    /** Looks at the ports that interface {@code index} (named {@code name}) can concern. */
    void follow(int index, String name) {
        synchronized (switchd) {
            boolean named = false;
            for (Bridge b : switchd.bridgeList()) {
                for (Port p : b.ports()) {
                    named |= p.name().equals(name);
                    if (p.name().equals(name) || (p instanceof FdPort f && index > 0 && f.ifindex() == index)) {
                        follow(b, p);
                    }
                }
            }
            if (!named) {
                retryMillis.remove(name); // the port was deleted while it waited for its interface
            }
        }
    }

    /** Looks at every port. */
    void followAll() {
        synchronized (switchd) {
            for (Bridge b : switchd.bridgeList()) {
                for (Port p : b.ports()) {
                    follow(b, p);
                }
            }
        }
    }

    /** Brings one port in line with its interface. */
    void follow(Bridge b, Port p) {
        follow(b, p, false);
    }

    /** Brings one port in line with its interface; {@code lost}: its loop found the interface gone. */
    private void follow(Bridge b, Port p, boolean lost) {
        // A packet socket whose interface left is silent for good; a TAP descriptor says EBADFD.
        // Only the descriptor can tell: a TAP moved to another namespace looks deleted from ours.
        if (p instanceof FdPort f && (lost || f.interfaceName() == null) && f.retire()) {
            gone(b, f);
        }
        PortState before = p.state();
        if (p instanceof FdPort f && !f.retired()) {
            followAttached(b, f);
        }
        // a port that is no interface (vhost-user) is not waiting for one of its name
        if (p.state() == PortState.ABSENT && PortKinds.of(p.type()).hasInterface()
                && (Interfaces.exists(p.name()) || madeAgain(p))) {
            p = reattach(b, p);
        } else {
            retryMillis.remove(p.name());
        }
        PortState after = p.state();
        if (after != before) {
            if (after != PortState.UP) {
                b.forget(p);
            }
            b.portsChanged();
            LOG.info("bridge " + b.name() + ": " + p + " " + before.displayName() + " -> " + after.displayName());
        }
    }

    /**
     * Whether switchd makes the interface of this absent port again: a TAP it made, not persistent,
     * or a vxlan port's device.
     * A persistent TAP, or one switchd found and opened, is the operator's to make again (with
     * {@code ip tuntap add} and its owner and flags), which a TAP of ours would keep from working.
     */
    private static boolean madeAgain(Port p) {
        // a vxlan port's device is switchd's alone: nobody else would make it
        return p instanceof TapPort t && !t.persistent() || p.type() == PortType.VXLAN;
    }

    /** Says that the interface of {@code f}, now retired, is gone, and what becomes of the port. */
    private static void gone(Bridge b, FdPort f) {
        String what = f.type() == PortType.TAP ? ": its interface was destroyed" : ": its interface is gone";
        LOG.info("bridge " + b.name() + ": " + f + what + (madeAgain(f) ? " (deleted, or with its namespace); making it "
                + "again" : "; the port waits, absent, for an interface of that name to appear"));
    }

    private void followAttached(Bridge b, FdPort f) {
        String now = f.interfaceName();
        if (now == null) {
            return; // gone since follow() asked: the loop or the next notification says so
        }
        // A packet socket's interface is looked up by its index, so it is here; a TAP's name comes
        // from its descriptor, and it is here only if that name has the index the TAP had here.
        if (f.type() == PortType.TAP && Interfaces.index(now) != f.ifindex()) {
            // Moved into another namespace: the descriptor works on, whatever the interface is called there.
            f.linkUp(true);
            return;
        }
        if (!now.equals(f.name())) {
            rename(b, f, now);
        }
        Boolean up = Interfaces.operational(now);
        if (up != null) {
            f.linkUp(up);
        }
        try {
            int mtu = Interfaces.mtu(now);
            if (mtu != f.mtu()) {
                LOG.info("bridge " + b.name() + ": " + f + " MTU " + f.mtu() + " -> " + mtu);
                f.mtu(mtu);
            }
        } catch (SysException e) {
            // gone in the meantime: the next notification says so
        }
    }

    private void rename(Bridge b, Port p, String now) {
        for (Bridge other : switchd.bridgeList()) {
            if (other.port(now) != null) {
                LOG.warning("bridge " + b.name() + ": the interface of " + p + " is now called " + now
                        + ", the name of another port; the port keeps its name");
                return;
            }
        }
        String old = p.name();
        p.rename(now);
        MirrorOperations.portRenamed(b, old, now);
        switchd.portRenamed(old, now);
        LOG.info("bridge " + b.name() + ": " + p + " follows its interface, renamed from " + old);
    }

    /** Opens the port's interface again and puts the new port in the old one's place. */
    private Port reattach(Bridge b, Port old) {
        PortConfig pc = switchd.portConfig(old.name());
        if (pc == null) {
            return old;
        }
        Port fresh;
        try {
            fresh = switchd.openPort(pc);
        } catch (SysException e) {
            retryLater(b, old, e, madeAgain(old) ? "make its interface again" : "attach to its interface");
            return old;
        }
        retryMillis.remove(old.name());
        fresh.inherit(old);
        b.replace(old, fresh);
        if (fresh instanceof FdPort f) {
            switchd.dataPlane().register(f);
            Boolean up = Interfaces.operational(f.name());
            f.linkUp(up == null || up);
        }
        boolean made = fresh instanceof TapPort t && t.created();
        LOG.info("bridge " + b.name() + ": " + fresh + (made ? " made its interface again" : " attached to its interface"));
        return fresh;
    }

    /**
     * Tries again later, sooner at first, then every few seconds: no notification may come (a
     * TAP's maker letting go of it changes nothing that is announced while it is down). Says so
     * once: as news when a TAP is still held by its maker (EBUSY), which lets go of it soon, as a
     * warning otherwise.
     */
    private void retryLater(Bridge b, Port p, SysException e, String action) {
        String name = p.name();
        Long wait = retryMillis.get(name);
        if (wait == null) {
            String what = "bridge " + b.name() + ": " + p + " cannot " + action;
            if (madeAgain(p) && Interfaces.exists(name)) {
                LOG.warning(what + ": the name is taken by another interface (" + e.getMessage()
                        + "); trying again until it is free");
            } else if (e.errno() == Errno.EBUSY && !madeAgain(p)) {
                LOG.info(what + " yet (" + e.getMessage() + "); trying again");
            } else {
                LOG.warning(what + " (" + e.getMessage() + "); trying again");
            }
            wait = FIRST_RETRY_MILLIS;
        }
        retryMillis.put(name, Math.min(wait * 2, MAX_RETRY_MILLIS));
        try {
            executor.schedule(() -> follow(0, name), wait, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // shutting down
        }
    }
}

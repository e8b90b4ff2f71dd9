package io.switchd;

import io.switchd.api.model.MirrorInfo;
import io.switchd.api.model.NewMirror;
import io.switchd.bridge.Bridge;
import io.switchd.bridge.Mirror;
import io.switchd.config.MirrorConfig;
import io.switchd.control.ControlException;
import io.switchd.port.Port;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/** What the API does to a bridge's mirrors: list, add and delete, each checked as the config file is. */
final class MirrorOperations {
    private static final Logger LOG = Logger.getLogger(MirrorOperations.class.getName());

    private MirrorOperations() {
    }

    /** The mirrors of {@code bridges}, with their copy counts. */
    static List<MirrorInfo> list(List<Bridge> bridges) {
        List<MirrorInfo> out = new ArrayList<>();
        for (Bridge b : bridges) {
            for (Mirror m : b.mirrors()) {
                MirrorConfig c = m.config();
                out.add(new MirrorInfo(b.name(), c.name(), c.selectIngress(), c.selectEgress(), c.selectVlans(),
                        c.output(), m.copies()));
            }
        }
        return out;
    }

    /** Adds the mirror {@code req} describes to {@code b}; a bad request or conflict changes nothing. */
    static MirrorInfo add(Bridge b, NewMirror req) throws ControlException {
        String problem = MirrorConfig.nameProblem(req.name());
        if (problem != null) {
            throw ControlException.badRequest(problem);
        }
        List<MirrorConfig> running = b.mirrorConfigs();
        for (MirrorConfig m : running) {
            if (m.name().equals(req.name())) {
                throw ControlException.conflict("bridge " + b.name() + " has a mirror " + req.name() + " already");
            }
        }
        if (running.size() >= MirrorConfig.MAX_PER_BRIDGE) {
            throw ControlException.conflict("bridge " + b.name() + " has " + MirrorConfig.MAX_PER_BRIDGE
                    + " mirrors, the most it can have");
        }
        MirrorConfig c = new MirrorConfig(req.name(), orEmpty(req.selectIngress()), orEmpty(req.selectEgress()),
                orEmpty(req.selectVlans()), req.output());
        List<String> ports = new ArrayList<>();
        for (Port p : b.ports()) {
            ports.add(p.name());
        }
        List<MirrorConfig.Problem> problems = c.problems(ports, running);
        if (!problems.isEmpty()) {
            MirrorConfig.Problem first = problems.get(0);
            throw ControlException.badRequest(first.key().replace('-', '_') + ": " + first.message());
        }
        List<MirrorConfig> next = new ArrayList<>(running);
        next.add(c);
        b.mirrors(next);
        LOG.info("bridge " + b.name() + ": mirror " + c.name() + " added, output " + c.output());
        return new MirrorInfo(b.name(), c.name(), c.selectIngress(), c.selectEgress(), c.selectVlans(), c.output(), 0);
    }

    /** Deletes the mirror {@code name} of {@code b}, unless the config file declares it. */
    static void delete(Bridge b, String name, ConfigDeclarations declared) throws ControlException {
        List<MirrorConfig> next = new ArrayList<>(b.mirrorConfigs());
        if (!next.removeIf(m -> m.name().equals(name))) {
            throw ControlException.notFound("no mirror " + name + " on bridge " + b.name());
        }
        declared.checkMirrorDeletion(b.name(), name);
        b.mirrors(next);
        LOG.info("bridge " + b.name() + ": mirror " + name + " deleted");
    }

    /**
     * Takes a port deleted through the API out of {@code b}'s mirrors, as Open vSwitch's weak
     * references do, so that deleting a VM's port (a hook) never fails for a mirror: the port leaves
     * the mirrors' selections, and a mirror whose output it was, or that then selects nothing, goes.
     */
    static void portDeleted(Bridge b, String port) {
        List<MirrorConfig> next = new ArrayList<>();
        boolean changed = false;
        for (MirrorConfig m : b.mirrorConfigs()) {
            if (!m.ports().contains(port)) {
                next.add(m);
                continue;
            }
            changed = true;
            List<String> ingress = new ArrayList<>(m.selectIngress());
            List<String> egress = new ArrayList<>(m.selectEgress());
            ingress.remove(port);
            egress.remove(port);
            if (port.equals(m.output()) || (ingress.isEmpty() && egress.isEmpty())) {
                LOG.info("bridge " + b.name() + ": mirror " + m.name() + " deleted with port " + port);
                continue;
            }
            next.add(new MirrorConfig(m.name(), ingress, egress, m.selectVlans(), m.output()));
        }
        if (changed) {
            b.mirrors(next);
        }
    }

    /** Follows a port of {@code b} whose interface was renamed: its mirrors name it by its new name. */
    static void portRenamed(Bridge b, String old, String now) {
        List<MirrorConfig> next = new ArrayList<>();
        for (MirrorConfig m : b.mirrorConfigs()) {
            next.add(new MirrorConfig(m.name(), renamed(m.selectIngress(), old, now),
                    renamed(m.selectEgress(), old, now), m.selectVlans(), m.output().equals(old) ? now : m.output()));
        }
        b.mirrors(next); // republished either way: the loops find the ports by name
    }

    private static List<String> renamed(List<String> ports, String old, String now) {
        return ports.stream().map(p -> p.equals(old) ? now : p).toList();
    }

    private static <T> List<T> orEmpty(List<T> list) throws ControlException {
        if (list == null) {
            return List.of();
        }
        if (list.contains(null)) {
            throw ControlException.badRequest("a mirror's lists hold port names and VLAN numbers, not null");
        }
        return list;
    }
}

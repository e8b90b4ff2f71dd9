package io.switchd.stp;

import java.util.OptionalLong;

/**
 * One port of an {@link RstpBridge}: its settings, the variables and timers 802.1D-2004 gives a
 * port (17.17, 17.19) and its state machines (17.22 to 17.31; Port Role Selection is the
 * bridge's). Names follow the standard's, so the code reads against its figures.
 *
 * <p>Each machine is a step method that takes at most one transition and says whether it did;
 * the bridge steps all of them until none moves. A state the standard leaves at once (UCT) is
 * not kept: its actions run and the machine lands in the state it leads to.
 */
final class RstpPort {
    /** 17.13.9 Migrate Time. */
    static final int MIGRATE_TIME = 3;
    /** 17.13.12 Transmit Hold Count, at its default. */
    static final int TX_HOLD_COUNT = 6;

    private enum InfoIs { DISABLED, AGED, MINE, RECEIVED }

    private enum RcvdInfo { SUPERIOR_DESIGNATED, REPEATED_DESIGNATED, INFERIOR_DESIGNATED, INFERIOR_ROOT_ALTERNATE, OTHER }

    private enum Receive { DISCARD, RECEIVE }

    private enum Migration { CHECKING_RSTP, SELECTING_STP, SENSING }

    private enum Information { DISABLED, AGED, CURRENT }

    private enum Transition { DISABLE_PORT, DISABLED_PORT, ROOT_PORT, DESIGNATED_PORT, BLOCK_PORT, ALTERNATE_PORT }

    private enum TopologyChange { INACTIVE, LEARNING, ACTIVE }

    final int number;
    /** The source address of the port's BPDUs. */
    long mac;
    private final RstpBridge bridge;

    // settings
    private int priority = PortId.DEFAULT_PRIORITY;
    private long adminCost;
    private long speedMbps;
    private EdgeMode edge = EdgeMode.AUTO;
    private boolean bpduGuard;
    /** Root guard: 802.1Q-2011's restrictedRole, never chosen as root port. */
    private boolean rootGuard;
    private boolean guardTripped;

    // 17.19 per-port variables
    int portId;
    boolean portEnabled;
    boolean operPointToPoint;
    boolean agree;
    boolean agreed;
    boolean disputed;
    boolean forward;
    boolean forwarding;
    boolean learn;
    boolean learning;
    boolean mcheck;
    boolean newInfo;
    boolean operEdge;
    boolean proposed;
    boolean proposing;
    boolean rcvdBpdu;
    boolean rcvdMsg;
    boolean rcvdRstp;
    boolean rcvdStp;
    boolean rcvdTc;
    boolean rcvdTcAck;
    boolean rcvdTcn;
    boolean reRoot;
    boolean reselect;
    boolean selected;
    boolean sendRstp;
    boolean sync;
    boolean synced;
    boolean tcAck;
    boolean tcProp;
    boolean updtInfo;
    int txCount;
    PortRole role = PortRole.DISABLED;
    PortRole selectedRole = PortRole.DISABLED;
    private InfoIs infoIs = InfoIs.DISABLED;
    PriorityVector portPriority;
    PriorityVector msgPriority;
    PriorityVector designatedPriority;
    StpTimes portTimes;
    StpTimes msgTimes;
    StpTimes designatedTimes;

    // 17.17 timers, in seconds
    int edgeDelayWhile;
    int fdWhile;
    int helloWhen;
    int mdelayWhile;
    int rbWhile;
    int rcvdInfoWhile;
    int rrWhile;
    int tcWhile;

    // where each machine is
    private Receive receive = Receive.DISCARD;
    private Migration migration = Migration.CHECKING_RSTP;
    private boolean edgeState;
    private Information information = Information.DISABLED;
    private Transition transition = Transition.DISABLE_PORT;
    /** Null until {@link #begin} tells the listener the port discards. */
    private StpState state;
    private TopologyChange topologyChange = TopologyChange.INACTIVE;

    /** The BPDU being received (rcvdBpdu): the state machines read it until the next one. */
    private final Bpdu received = new Bpdu();
    private final Bpdu sent = new Bpdu();

    RstpPort(RstpBridge bridge, int number, long mac) {
        PortId.checkNumber(number);
        this.bridge = bridge;
        this.number = number;
        this.mac = mac;
        this.portId = PortId.of(priority, number);
    }

    // ---- settings ----

    int priority() {
        return priority;
    }

    void priority(int value) {
        PortId.checkPriority(value);
        priority = value;
        portId = PortId.of(value, number);
    }

    /** The path cost in use: the configured one, or table 17-3's for the link's speed. */
    long cost() {
        return adminCost != 0 ? adminCost : PathCost.forSpeed(speedMbps);
    }

    /** 0 for auto. */
    void adminCost(long cost) {
        PathCost.check(cost);
        adminCost = cost;
    }

    void speed(long megabitsPerSecond) {
        speedMbps = megabitsPerSecond;
    }

    void edge(EdgeMode mode) {
        edge = mode;
        // an operator's word counts at once, not at the next link-up: 17.25 starts over as at BEGIN
        if (mode.adminEdge()) {
            enterEdge();
        } else {
            enterNotEdge();
        }
    }

    void bpduGuard(boolean on) {
        bpduGuard = on;
    }

    void rootGuard(boolean on) {
        rootGuard = on;
    }

    boolean rootGuard() {
        return rootGuard;
    }

    boolean guardTripped() {
        return guardTripped;
    }

    StpState state() {
        return state;
    }

    boolean infoReceived() {
        return infoIs == InfoIs.RECEIVED;
    }

    // ---- events ----

    void enable(boolean enabled, boolean pointToPoint) {
        portEnabled = enabled;
        operPointToPoint = pointToPoint;
        if (enabled) {
            guardTripped = false;
        }
    }

    /**
     * Takes a decoded BPDU for the state machines (rcvdBpdu), or says why not. BPDU guard takes
     * the port out on the first one.
     */
    BpduStatus accept(Bpdu bpdu) {
        if (!portEnabled) {
            return BpduStatus.PORT_DISABLED;
        }
        if (bpdu.type() != BpduType.TCN && bpdu.bridgeId() == bridge.bridgeId() && bpdu.portId() == portId) {
            return BpduStatus.LOOPED_BACK;
        }
        if (bpduGuard) {
            guardTripped = true;
            portEnabled = false;
            bridge.listener().bpduGuardTripped(number,
                    bpdu.type() == BpduType.TCN ? OptionalLong.empty() : OptionalLong.of(bpdu.bridgeId()));
            return BpduStatus.VALID;
        }
        // the bridge runs its machines after every BPDU, so the last one has always been consumed
        received.copyFrom(bpdu);
        received.unknownRoleAsConfig();
        rcvdBpdu = true;
        return BpduStatus.VALID;
    }

    /** 17.22 Port Timers: one tick, once a second. */
    void tick() {
        helloWhen = dec(helloWhen);
        tcWhile = dec(tcWhile);
        fdWhile = dec(fdWhile);
        rcvdInfoWhile = dec(rcvdInfoWhile);
        rrWhile = dec(rrWhile);
        rbWhile = dec(rbWhile);
        mdelayWhile = dec(mdelayWhile);
        edgeDelayWhile = dec(edgeDelayWhile);
        txCount = dec(txCount);
    }

    private static int dec(int timer) {
        return timer > 0 ? timer - 1 : 0;
    }

    /** Every machine to its initial state, as BEGIN does (17.18.1). */
    void begin() {
        PriorityVector own = PriorityVector.ofBridge(bridge.bridgeId());
        portPriority = msgPriority = designatedPriority = own;
        portTimes = msgTimes = designatedTimes = bridge.bridgeTimes();
        selectedRole = PortRole.DISABLED;
        enterDiscard();
        enterCheckingRstp();
        if (edge.adminEdge()) {
            enterEdge();
        } else {
            enterNotEdge();
        }
        enterInformationDisabled();
        // INIT_PORT, then DISABLE_PORT
        role = PortRole.DISABLED;
        learn = forward = false;
        synced = false;
        sync = reRoot = true;
        rrWhile = fwdDelay();
        fdWhile = maxAge();
        rbWhile = 0;
        enterDisablePort();
        enterDiscarding();
        enterTopologyInactive();
        // TRANSMIT_INIT, then IDLE
        newInfo = true;
        txCount = 0;
        enterIdle();
    }

    // ---- times the machines use (17.20) ----

    private int fwdDelay() {
        return designatedTimes.forwardDelay();
    }

    private int helloTime() {
        return designatedTimes.helloTime();
    }

    private int maxAge() {
        return designatedTimes.maxAge();
    }

    /** 17.20.5 forwardDelay: an RSTP port waits a hello time where an STP one waits its forward delay. */
    private int forwardDelay() {
        return sendRstp ? helloTime() : fwdDelay();
    }

    /** 17.20.4 EdgeDelay. */
    private int edgeDelay() {
        return operPointToPoint ? MIGRATE_TIME : maxAge();
    }

    // ---- 17.23 Port Receive ----

    boolean stepReceive() {
        if ((rcvdBpdu || edgeDelayWhile != MIGRATE_TIME) && !portEnabled) {
            enterDiscard();
            return true;
        }
        if (rcvdBpdu && portEnabled && (receive == Receive.DISCARD || !rcvdMsg)) {
            // RECEIVE: updtBPDUVersion() (17.21.22), and any BPDU says a bridge is there
            if (received.type() == BpduType.RST) {
                rcvdRstp = true;
            } else {
                rcvdStp = true;
            }
            operEdge = rcvdBpdu = false;
            rcvdMsg = true;
            edgeDelayWhile = MIGRATE_TIME;
            receive = Receive.RECEIVE;
            return true;
        }
        return false;
    }

    private void enterDiscard() {
        rcvdBpdu = rcvdRstp = rcvdStp = false;
        rcvdMsg = false;
        edgeDelayWhile = MIGRATE_TIME;
        receive = Receive.DISCARD;
    }

    // ---- 17.24 Port Protocol Migration ----

    boolean stepMigration() {
        switch (migration) {
            case CHECKING_RSTP:
                if (mdelayWhile == 0) {
                    enterSensing();
                    return true;
                }
                if (mdelayWhile != MIGRATE_TIME && !portEnabled) {
                    enterCheckingRstp();
                    return true;
                }
                return false;
            case SELECTING_STP:
                if (mdelayWhile == 0 || !portEnabled || mcheck) {
                    enterSensing();
                    return true;
                }
                return false;
            default: // SENSING
                if (!portEnabled || mcheck || (bridge.rstpVersion() && !sendRstp && rcvdRstp)) {
                    enterCheckingRstp();
                    return true;
                }
                if (sendRstp && rcvdStp) {
                    // an 802.1D bridge is on the link: speak its language here (17.4)
                    sendRstp = false;
                    mdelayWhile = MIGRATE_TIME;
                    migration = Migration.SELECTING_STP;
                    return true;
                }
                return false;
        }
    }

    private void enterCheckingRstp() {
        mcheck = false;
        sendRstp = bridge.rstpVersion();
        mdelayWhile = MIGRATE_TIME;
        migration = Migration.CHECKING_RSTP;
    }

    private void enterSensing() {
        rcvdRstp = rcvdStp = false;
        migration = Migration.SENSING;
    }

    // ---- 17.25 Bridge Detection ----

    boolean stepDetection() {
        if (edgeState) {
            if ((!portEnabled && !edge.adminEdge()) || !operEdge) {
                enterNotEdge();
                return true;
            }
        } else if ((!portEnabled && edge.adminEdge())
                || (edgeDelayWhile == 0 && edge.autoEdge() && sendRstp && proposing)) {
            enterEdge();
            return true;
        }
        return false;
    }

    private void enterEdge() {
        operEdge = true;
        edgeState = true;
    }

    private void enterNotEdge() {
        operEdge = false;
        edgeState = false;
    }

    // ---- 17.26 Port Transmit ----

    boolean stepTransmit() {
        // a port that is down sends nothing, whatever role the machines have not yet taken from it
        if (!selected || updtInfo || !portEnabled) {
            return false;
        }
        if (helloWhen == 0) {
            // TRANSMIT_PERIODIC, and the BPDU it calls for at once. Unlike 17.26 it does not count
            // against txCount: with a hello time of 1 s the tick, once a second, would never win
            // back what a burst used up, and new information would wait a hello time for good.
            newInfo = newInfo || role == PortRole.DESIGNATED || (role == PortRole.ROOT && tcWhile != 0);
            if (newInfo && transmitBpdu()) {
                newInfo = false;
            }
            enterIdle();
            return true;
        }
        if (!newInfo || txCount >= TX_HOLD_COUNT || !transmitBpdu()) {
            return false;
        }
        newInfo = false;
        txCount++;
        enterIdle();
        return true;
    }

    /** TRANSMIT_RSTP, TRANSMIT_CONFIG or TRANSMIT_TCN, whichever the port's role and version call for. */
    private boolean transmitBpdu() {
        if (sendRstp) {
            txRstp();
            tcAck = false;
        } else if (role == PortRole.DESIGNATED) {
            txConfig();
            tcAck = false;
        } else if (role == PortRole.ROOT && tcWhile != 0) {
            // unlike the standard, only while there is a change to tell: agreements also set
            // newInfo on a root port, and an 802.1D bridge would take each for a topology change
            bridge.send(this, sent.tcn());
        } else {
            return false;
        }
        return true;
    }

    private void enterIdle() {
        helloWhen = helloTime();
    }

    /** 17.21.19 txConfig(). */
    private void txConfig() {
        int flags = (tcWhile != 0 ? Bpdu.FLAG_TC : 0) | (tcAck ? Bpdu.FLAG_TC_ACK : 0);
        bridge.send(this, sent.of(BpduType.CONFIG, flags, designatedPriority, designatedTimes));
    }

    /** 17.21.20 txRstp(). */
    private void txRstp() {
        int flags = switch (role) {
            case ROOT -> Bpdu.ROLE_ROOT;
            case DESIGNATED -> Bpdu.ROLE_DESIGNATED;
            case ALTERNATE, BACKUP -> Bpdu.ROLE_ALTERNATE_OR_BACKUP;
            case DISABLED -> Bpdu.ROLE_UNKNOWN;
        };
        flags |= (agree ? Bpdu.FLAG_AGREEMENT : 0) | (proposing ? Bpdu.FLAG_PROPOSAL : 0)
                | (tcWhile != 0 ? Bpdu.FLAG_TC : 0) | (learning ? Bpdu.FLAG_LEARNING : 0)
                | (forwarding ? Bpdu.FLAG_FORWARDING : 0);
        bridge.send(this, sent.of(BpduType.RST, flags, designatedPriority, designatedTimes));
    }

    // ---- 17.27 Port Information ----

    boolean stepInformation() {
        if (!portEnabled && infoIs != InfoIs.DISABLED) {
            enterInformationDisabled();
            return true;
        }
        switch (information) {
            case DISABLED:
                if (portEnabled) {
                    enterAged();
                    return true;
                }
                if (rcvdMsg) {
                    enterInformationDisabled();
                    return true;
                }
                return false;
            case AGED:
                if (selected && updtInfo) {
                    update();
                    return true;
                }
                return false;
            default: // CURRENT
                if (selected && updtInfo) {
                    update();
                    return true;
                }
                if (infoIs == InfoIs.RECEIVED && rcvdInfoWhile == 0 && !updtInfo && !rcvdMsg) {
                    enterAged();
                    return true;
                }
                if (rcvdMsg && !updtInfo) {
                    receiveMessage();
                    return true;
                }
                return false;
        }
    }

    private void enterInformationDisabled() {
        rcvdMsg = false;
        proposing = proposed = agree = agreed = false;
        rcvdInfoWhile = 0;
        infoIs = InfoIs.DISABLED;
        reselect = true;
        selected = false;
        information = Information.DISABLED;
    }

    private void enterAged() {
        infoIs = InfoIs.AGED;
        reselect = true;
        selected = false;
        information = Information.AGED;
    }

    /** UPDATE: the port now carries this bridge's designated information. */
    private void update() {
        proposing = proposed = false;
        agreed = agreed && infoIs == InfoIs.MINE && designatedPriority.supersedes(portPriority);
        synced = synced && agreed;
        portPriority = designatedPriority;
        portTimes = designatedTimes;
        updtInfo = false;
        infoIs = InfoIs.MINE;
        newInfo = true;
        information = Information.CURRENT;
    }

    /** RECEIVE and the state it leads to, then CURRENT. */
    private void receiveMessage() {
        switch (rcvInfo()) {
            case SUPERIOR_DESIGNATED -> {
                agreed = proposing = false;
                recordProposal();
                setTcFlags();
                // betterorsameInfo(Received), 17.21.1
                agree = agree && infoIs == InfoIs.RECEIVED && msgPriority.supersedes(portPriority);
                portPriority = msgPriority;
                portTimes = msgTimes;
                updtRcvdInfoWhile();
                infoIs = InfoIs.RECEIVED;
                reselect = true;
                selected = false;
            }
            case REPEATED_DESIGNATED -> {
                recordProposal();
                setTcFlags();
                updtRcvdInfoWhile();
            }
            case INFERIOR_DESIGNATED -> recordDispute();
            case INFERIOR_ROOT_ALTERNATE -> {
                recordAgreement();
                setTcFlags();
            }
            case OTHER -> { }
        }
        rcvdMsg = false;
        information = Information.CURRENT;
    }

    /** 17.21.8 rcvInfo(): what the received message says, measured against what the port holds. */
    private RcvdInfo rcvInfo() {
        if (received.type() == BpduType.TCN) {
            // 802.1D-2004 would lose a TCN here (OtherInfo sets no flag); 802.1Q sets rcvdTcn
            rcvdTcn = true;
            return RcvdInfo.OTHER;
        }
        msgPriority = received.vector();
        msgTimes = received.times();
        int messageRole = received.role();
        if (messageRole == Bpdu.ROLE_DESIGNATED) {
            if (msgPriority.equals(portPriority)) {
                return msgTimes.equals(portTimes) ? RcvdInfo.REPEATED_DESIGNATED : RcvdInfo.SUPERIOR_DESIGNATED;
            }
            return msgPriority.supersedes(portPriority) ? RcvdInfo.SUPERIOR_DESIGNATED : RcvdInfo.INFERIOR_DESIGNATED;
        }
        if ((messageRole == Bpdu.ROLE_ROOT || messageRole == Bpdu.ROLE_ALTERNATE_OR_BACKUP)
                && !msgPriority.betterThan(portPriority)) {
            return RcvdInfo.INFERIOR_ROOT_ALTERNATE;
        }
        return RcvdInfo.OTHER;
    }

    /** 17.21.9 recordAgreement(). */
    private void recordAgreement() {
        if (bridge.rstpVersion() && operPointToPoint && received.type() == BpduType.RST
                && received.flag(Bpdu.FLAG_AGREEMENT)) {
            agreed = true;
            proposing = false;
        } else {
            agreed = false;
        }
    }

    /** 17.21.10 recordDispute(): an inferior designated port that learns is not listening to us. */
    private void recordDispute() {
        if (received.type() == BpduType.RST && received.flag(Bpdu.FLAG_LEARNING)) {
            disputed = true;
            agreed = false;
        }
    }

    /** 17.21.11 recordProposal(). */
    private void recordProposal() {
        if (received.role() == Bpdu.ROLE_DESIGNATED && received.flag(Bpdu.FLAG_PROPOSAL)) {
            proposed = true;
        }
    }

    /** 17.21.17 setTcFlags(). */
    private void setTcFlags() {
        if (received.flag(Bpdu.FLAG_TC)) {
            rcvdTc = true;
        }
        if (received.type() == BpduType.CONFIG && received.flag(Bpdu.FLAG_TC_ACK)) {
            rcvdTcAck = true;
        }
    }

    /** 17.21.23 updtRcvdInfoWhile(): three hellos, unless the information is already too old. */
    private void updtRcvdInfoWhile() {
        rcvdInfoWhile = portTimes.messageAge() + 1 <= portTimes.maxAge() ? 3 * portTimes.helloTime() : 0;
    }

    /** 17.21.25 f) to h): the role the bridge's selection gives this port. */
    void selectRole(RstpPort rootPort) {
        switch (infoIs) {
            case DISABLED -> selectedRole = PortRole.DISABLED;
            case AGED -> {
                updtInfo = true;
                selectedRole = PortRole.DESIGNATED;
            }
            case MINE -> {
                selectedRole = PortRole.DESIGNATED;
                // against designatedTimes, as 802.1Q reads it: 2004's rootTimes differ in the hello
                // time wherever the root's differs from ours, which would update the port every time
                if (!portPriority.equals(designatedPriority) || !portTimes.equals(designatedTimes)) {
                    updtInfo = true;
                }
            }
            case RECEIVED -> {
                if (this == rootPort) {
                    selectedRole = PortRole.ROOT;
                    updtInfo = false;
                } else if (!designatedPriority.betterThan(portPriority)) {
                    // a better bridge is designated for this link: ours or another's
                    boolean fromUs = BridgeId.mac(portPriority.designatedBridgeId()) == BridgeId.mac(bridge.bridgeId());
                    selectedRole = fromUs ? PortRole.BACKUP : PortRole.ALTERNATE;
                    updtInfo = false;
                } else {
                    selectedRole = PortRole.DESIGNATED;
                    updtInfo = true;
                }
            }
        }
    }

    // ---- 17.29 Port Role Transitions ----

    boolean stepTransitions() {
        if (!selected || updtInfo) {
            return false;
        }
        if (role != selectedRole) {
            switch (selectedRole) {
                case DISABLED -> enterDisablePort();
                case ROOT -> enterRootPort();
                case DESIGNATED -> enterDesignatedPort();
                case ALTERNATE, BACKUP -> enterBlockPort();
            }
            return true;
        }
        return switch (transition) {
            case DISABLE_PORT -> {
                if (!learning && !forwarding) {
                    enterDisabledPort();
                    yield true;
                }
                yield false;
            }
            case DISABLED_PORT -> {
                if (fdWhile != maxAge() || sync || reRoot || !synced) {
                    enterDisabledPort();
                    yield true;
                }
                yield false;
            }
            case ROOT_PORT -> stepRootPort();
            case DESIGNATED_PORT -> stepDesignatedPort();
            case BLOCK_PORT -> {
                if (!learning && !forwarding) {
                    enterAlternatePort();
                    yield true;
                }
                yield false;
            }
            case ALTERNATE_PORT -> stepAlternatePort();
        };
    }

    private boolean stepRootPort() {
        if (proposed && !agree) {
            // ROOT_PROPOSED: the designated bridge above proposes; make the tree below safe first
            bridge.setSyncTree();
            proposed = false;
        } else if ((bridge.allSynced() && !agree) || (proposed && agree)) {
            // ROOT_AGREED
            proposed = sync = false;
            agree = true;
            newInfo = true;
        } else if (!forward && !reRoot) {
            // REROOT
            bridge.setReRootTree();
        } else if (reRoot && forward) {
            // REROOTED
            reRoot = false;
        } else if (mayForwardAsRoot() && !learn) {
            // ROOT_LEARN
            fdWhile = forwardDelay();
            learn = true;
        } else if (mayForwardAsRoot() && learn && !forward) {
            // ROOT_FORWARD
            fdWhile = 0;
            forward = true;
        } else if (rrWhile == fwdDelay()) {
            return false;
        }
        enterRootPort();
        return true;
    }

    /** The old root port's paths are gone (or its forward delay is over), so this one may forward. */
    private boolean mayForwardAsRoot() {
        return fdWhile == 0 || (bridge.reRooted(this) && rbWhile == 0 && bridge.rstpVersion());
    }

    private boolean stepDesignatedPort() {
        boolean mayForward = (fdWhile == 0 || agreed || operEdge) && (rrWhile == 0 || !reRoot) && !sync;
        if (!forward && !agreed && !proposing && !operEdge) {
            // DESIGNATED_PROPOSE
            proposing = true;
            edgeDelayWhile = edgeDelay();
            newInfo = true;
        } else if ((!learning && !forwarding && !synced) || (agreed && !synced) || (operEdge && !synced)
                || (sync && synced)) {
            // DESIGNATED_SYNCED
            rrWhile = 0;
            synced = true;
            sync = false;
        } else if (rrWhile == 0 && reRoot) {
            // DESIGNATED_RETIRED
            reRoot = false;
        } else if (((sync && !synced) || (reRoot && rrWhile != 0) || disputed) && !operEdge && (learn || forward)) {
            // DESIGNATED_DISCARD
            learn = forward = disputed = false;
            fdWhile = forwardDelay();
        } else if (mayForward && !learn) {
            // DESIGNATED_LEARN
            learn = true;
            fdWhile = forwardDelay();
        } else if (mayForward && learn && !forward) {
            // DESIGNATED_FORWARD
            forward = true;
            fdWhile = 0;
            agreed = sendRstp;
        } else {
            return false;
        }
        enterDesignatedPort();
        return true;
    }

    private boolean stepAlternatePort() {
        if (role == PortRole.BACKUP && rbWhile != 2 * helloTime()) {
            // BACKUP_PORT
            rbWhile = 2 * helloTime();
        } else if (proposed && !agree) {
            // ALTERNATE_PROPOSED
            bridge.setSyncTree();
            proposed = false;
        } else if ((bridge.allSynced() && !agree) || (proposed && agree)) {
            // ALTERNATE_AGREED: this port discards, so the designated port above may forward
            proposed = false;
            agree = true;
            newInfo = true;
        } else if (!(fdWhile != forwardDelay() || sync || reRoot || !synced)) {
            return false;
        }
        enterAlternatePort();
        return true;
    }

    /** DISABLE_PORT and BLOCK_PORT: take on the selected role, stop learning and forwarding. */
    private void enterStopping(Transition next) {
        role = selectedRole;
        learn = forward = false;
        transition = next;
    }

    private void enterDisablePort() {
        enterStopping(Transition.DISABLE_PORT);
    }

    private void enterBlockPort() {
        enterStopping(Transition.BLOCK_PORT);
    }

    /** DISABLED_PORT and ALTERNATE_PORT: a port that does not forward is in sync with any root. */
    private void enterStopped(int forwardDelayTimer, Transition next) {
        fdWhile = forwardDelayTimer;
        synced = true;
        rrWhile = 0;
        sync = reRoot = false;
        transition = next;
    }

    private void enterDisabledPort() {
        enterStopped(maxAge(), Transition.DISABLED_PORT);
    }

    private void enterAlternatePort() {
        // forwardDelay, not FwdDelay, so that the test that re-enters this state can settle
        enterStopped(forwardDelay(), Transition.ALTERNATE_PORT);
    }

    private void enterRootPort() {
        role = PortRole.ROOT;
        rrWhile = fwdDelay();
        transition = Transition.ROOT_PORT;
    }

    private void enterDesignatedPort() {
        role = PortRole.DESIGNATED;
        transition = Transition.DESIGNATED_PORT;
    }

    // ---- 17.30 Port State Transition ----

    boolean stepState() {
        switch (state) {
            case DISCARDING:
                if (learn) {
                    enterState(StpState.LEARNING);
                    return true;
                }
                return false;
            case LEARNING:
                if (!learn) {
                    enterDiscarding();
                    return true;
                }
                if (forward) {
                    enterState(StpState.FORWARDING);
                    return true;
                }
                return false;
            default: // FORWARDING
                if (!forward) {
                    enterDiscarding();
                    return true;
                }
                return false;
        }
    }

    private void enterDiscarding() {
        enterState(StpState.DISCARDING);
    }

    private void enterState(StpState next) {
        learning = next != StpState.DISCARDING;
        forwarding = next == StpState.FORWARDING;
        boolean changed = state != next;
        state = next;
        if (changed) {
            bridge.listener().stateChanged(number, next);
        }
    }

    // ---- 17.31 Topology Change ----

    boolean stepTopologyChange() {
        boolean rootOrDesignated = role == PortRole.ROOT || role == PortRole.DESIGNATED;
        boolean told = rcvdTc || rcvdTcn || rcvdTcAck || tcProp;
        switch (topologyChange) {
            case INACTIVE:
                if (learn) {
                    enterTopologyLearning();
                    return true;
                }
                return false;
            case LEARNING:
                if (!rootOrDesignated && !(learn || learning) && !told) {
                    enterTopologyInactive();
                } else if (told) {
                    enterTopologyLearning();
                } else if (rootOrDesignated && forward && !operEdge) {
                    // DETECTED: this port starting to forward is a change of topology
                    newTcWhile();
                    bridge.setTcPropTree(this);
                    newInfo = true;
                    topologyChange = TopologyChange.ACTIVE;
                } else {
                    return false;
                }
                return true;
            default: // ACTIVE
                if (!rootOrDesignated || operEdge) {
                    enterTopologyLearning();
                } else if (rcvdTcn) {
                    // NOTIFIED_TCN, then NOTIFIED_TC
                    newTcWhile();
                    notifiedTc();
                } else if (rcvdTc) {
                    notifiedTc();
                } else if (tcProp && !operEdge) {
                    // PROPAGATING
                    newTcWhile();
                    bridge.listener().flush(number);
                    tcProp = false;
                } else if (rcvdTcAck) {
                    // ACKNOWLEDGED
                    tcWhile = 0;
                    rcvdTcAck = false;
                } else {
                    return false;
                }
                return true;
        }
    }

    /** INACTIVE: what was learned here is stale (fdbFlush, done at once by the listener). */
    private void enterTopologyInactive() {
        bridge.listener().flush(number);
        tcWhile = 0;
        tcAck = false;
        topologyChange = TopologyChange.INACTIVE;
    }

    private void enterTopologyLearning() {
        rcvdTc = rcvdTcn = rcvdTcAck = false;
        tcProp = false;
        topologyChange = TopologyChange.LEARNING;
    }

    /** NOTIFIED_TC: pass the change on to every other port, acknowledging it to an 802.1D sender. */
    private void notifiedTc() {
        rcvdTcn = rcvdTc = false;
        if (role == PortRole.DESIGNATED) {
            tcAck = true;
        }
        bridge.setTcPropTree(this);
    }

    /** 17.21.7 newTcWhile(). */
    private void newTcWhile() {
        if (tcWhile != 0) {
            return;
        }
        if (sendRstp) {
            tcWhile = helloTime() + 1;
            newInfo = true;
        } else {
            StpTimes root = bridge.rootTimes();
            tcWhile = root.maxAge() + root.forwardDelay();
        }
        bridge.topologyChangeStarted(this);
    }

    RstpStatus.Port status() {
        return new RstpStatus.Port(number, role, state, operEdge, cost(), priority, sendRstp, guardTripped);
    }
}

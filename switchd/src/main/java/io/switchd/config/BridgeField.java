package io.switchd.config;

import java.time.Duration;

/**
 * A bridge's own settings one by one, as a reload merges and compares them: each in the config
 * file's words, and copied from one bridge's configuration to another's. All change in place.
 */
public enum BridgeField implements Setting<BridgeConfig> {
    AGEING_TIME("ageing-time") {
        @Override
        public String of(BridgeConfig b) {
            return duration(b.ageingTime());
        }

        @Override
        public BridgeConfig copy(BridgeConfig into, BridgeConfig from) {
            return new BridgeConfig(into.name(), from.ageingTime(), into.macTableSize(), into.groupForwardMask(),
                    into.ports(), into.staticMacs(), into.stp(), into.mirrors());
        }
    },
    MAC_TABLE_SIZE("mac-table-size") {
        @Override
        public String of(BridgeConfig b) {
            return Integer.toString(b.macTableSize());
        }

        @Override
        public BridgeConfig copy(BridgeConfig into, BridgeConfig from) {
            return new BridgeConfig(into.name(), into.ageingTime(), from.macTableSize(), into.groupForwardMask(),
                    into.ports(), into.staticMacs(), into.stp(), into.mirrors());
        }
    },
    GROUP_FORWARD_MASK("group-forward-mask") {
        @Override
        public String of(BridgeConfig b) {
            return "0x" + Integer.toHexString(b.groupForwardMask());
        }

        @Override
        public BridgeConfig copy(BridgeConfig into, BridgeConfig from) {
            return new BridgeConfig(into.name(), into.ageingTime(), into.macTableSize(), from.groupForwardMask(),
                    into.ports(), into.staticMacs(), into.stp(), into.mirrors());
        }
    },
    /** The spanning tree settings: one setting, since a change to any of them is taken as a whole. */
    STP("stp") {
        @Override
        public String of(BridgeConfig b) {
            StpConfig s = b.stp();
            return "mode " + s.modeName() + " priority " + s.priority() + " hello-time " + s.helloTime()
                    + "s max-age " + s.maxAge() + "s forward-delay " + s.forwardDelay() + "s";
        }

        @Override
        public BridgeConfig copy(BridgeConfig into, BridgeConfig from) {
            return new BridgeConfig(into.name(), into.ageingTime(), into.macTableSize(), into.groupForwardMask(),
                    into.ports(), into.staticMacs(), from.stp(), into.mirrors());
        }
    };

    private final String key;

    BridgeField(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    /** Whether two bridges have the same settings (their ports and static entries aside). */
    public static boolean sameSettings(BridgeConfig a, BridgeConfig b) {
        return describe(a, b).isEmpty();
    }

    /** What differs between two bridges' settings, as "key old -> new, ..."; empty when nothing does. */
    public static String describe(BridgeConfig from, BridgeConfig to) {
        return Setting.describe(values(), from, to);
    }

    /** A duration as the config file writes it: whole seconds as "300s", anything finer in milliseconds. */
    public static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}

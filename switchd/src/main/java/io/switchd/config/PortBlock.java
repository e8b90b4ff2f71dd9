package io.switchd.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;

/**
 * One port's block of a config (or state) file as a kind of port reads its own keys from it: the
 * port's own keys over the port-defaults, with errors that name the file, line and key as every
 * other config error does.
 */
public final class PortBlock {
    private final ConfigObject own;
    private final ConfigObject settings;
    private final String path;
    private final String file;

    PortBlock(ConfigObject own, ConfigObject settings, String path, String file) {
        this.own = own;
        this.settings = settings;
        this.path = path;
        this.file = file;
    }

    /** Whether the port or the port-defaults set {@code key}. */
    public boolean has(String key) {
        return settings.containsKey(key);
    }

    /** Whether the port's own block sets {@code key} (not only the port-defaults). */
    public boolean ownHas(String key) {
        return own.containsKey(key);
    }

    /** The string {@code key}, from the port or the port-defaults; a ConfigError if missing or not a string. */
    public String string(String key) throws ConfigError {
        return ConfigLoader.string(settings.toConfig(), key, path + "." + key, file);
    }

    /** The boolean {@code key}, from the port or the port-defaults; a ConfigError if not true or false. */
    public boolean bool(String key) throws ConfigError {
        return ConfigLoader.bool(settings.toConfig(), key, path + "." + key, file);
    }

    /** The string {@code key} from the port's own block only: a key that names one port's resource. */
    public String ownString(String key) throws ConfigError {
        return ConfigLoader.string(own.toConfig(), key, path + "." + key, file);
    }

    /**
     * An error about {@code key}, at its line in the port's own block if it is there, else where
     * the port-defaults set it, else at the port's type (what asks for the key), else at the port.
     */
    public ConfigError error(String key, String problem) {
        ConfigValue at = own.containsKey(key) ? own.get(key) : settings.containsKey(key) ? settings.get(key)
                : own.containsKey("type") ? own.get("type") : own;
        return ConfigLoader.error(at, file, path + "." + key, problem);
    }
}

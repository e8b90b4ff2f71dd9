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

    /** The whole number {@code key} from min to max, from the port or the port-defaults; a ConfigError if not. */
    public int intIn(String key, int min, int max) throws ConfigError {
        return ConfigLoader.intIn(settings.toConfig(), key, path + "." + key, min, max, file);
    }

    /**
     * The list of strings {@code key}, from the port or the port-defaults, with {@code check} run on
     * each (an IllegalArgumentException from it is a ConfigError at that element's line).
     */
    public java.util.List<String> strings(String key, java.util.function.Consumer<String> check) throws ConfigError {
        ConfigValue v = settings.get(key);
        if (!(v instanceof com.typesafe.config.ConfigList list)) {
            throw error(key, "must be a list of strings [\"...\", ...], not a " + ConfigLoader.typeName(v));
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue item = list.get(i);
            String at = path + "." + key + "[" + i + "]";
            if (item.valueType() != com.typesafe.config.ConfigValueType.STRING) {
                throw ConfigLoader.error(item, file, at, "must be a string, not a " + ConfigLoader.typeName(item));
            }
            try {
                check.accept((String) item.unwrapped());
            } catch (IllegalArgumentException e) {
                throw ConfigLoader.error(item, file, at, e.getMessage());
            }
            out.add((String) item.unwrapped());
        }
        return out;
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

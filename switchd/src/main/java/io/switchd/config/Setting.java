package io.switchd.config;

/**
 * One setting of a bridge or a port ({@code T}), as a reload merges and compares them: its value
 * in the config file's words (two values are the same exactly when their words are), and a copy
 * of it from one configuration into another.
 */
public interface Setting<T> {
    /** The config key the setting is written under (the first, for a setting of several keys). */
    String key();

    /** The setting's value in {@code owner}, in config words. */
    String of(T owner);

    /** {@code into} with this setting's value taken from {@code from}. */
    T copy(T into, T from);

    /** What differs between {@code from} and {@code to} among {@code settings}, as "key old -> new, ..."; empty if nothing. */
    static <T> String describe(Setting<T>[] settings, T from, T to) {
        StringBuilder sb = new StringBuilder();
        for (Setting<T> s : settings) {
            String before = s.of(from);
            String after = s.of(to);
            if (!before.equals(after)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(s.key()).append(' ').append(before).append(" -> ")
                        .append(after);
            }
        }
        return sb.toString();
    }
}

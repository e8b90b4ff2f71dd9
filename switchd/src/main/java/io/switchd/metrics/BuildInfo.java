package io.switchd.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which switchd this is: the Maven project version and git revision it was built from (Maven
 * writes them into build.properties), and the Java runtime it runs on.
 */
public record BuildInfo(String version, String revision, String javaVersion) {
    private static final String UNKNOWN = "unknown";

    /** This build's, from the class path. */
    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a jar we cannot read this from is still a switchd to run: the labels say unknown
        }
        return new BuildInfo(filled(p.getProperty("version")), filled(p.getProperty("revision")),
                System.getProperty("java.version"));
    }

    /** The value, or unknown where the build left it unset (no git, resources not filtered). */
    private static String filled(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value;
    }
}

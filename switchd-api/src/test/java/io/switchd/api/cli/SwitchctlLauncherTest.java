package io.switchd.api.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/switchctl, laid out as install.sh lays it out (bin/, lib/switchctl.jar): the class-data
 * archive it records holds the classes of a call to the daemon even when the first call was
 * --version, it is made again for a new jar or JDK, and where the jar's directory may not be
 * written switchctl works as well, only without an archive of its own.
 */
class SwitchctlLauncherTest {
    /** Loaded to read a JSON answer, and not by --version. */
    private static final String READ_CLASS = "com.fasterxml.jackson.databind.ObjectMapper";

    @TempDir
    Path root;

    private Path lib;
    private Path jsa;

    @BeforeEach
    void layOut() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x")); // for nobody, below
        Path bin = Files.createDirectories(root.resolve("bin"));
        lib = Files.createDirectories(root.resolve("lib"));
        Files.copy(Path.of("..", "bin", "switchctl"), bin.resolve("switchctl"));
        writeJar(lib.resolve("switchctl.jar"));
        jsa = lib.resolve("switchctl.jar.jsa");
    }

    @Test
    void theArchiveHoldsWhatACallToTheDaemonLoadsWhateverTheFirstCallWas() throws Exception {
        assertEquals(0, run(Map.of(), "--version").status);
        assertTrue(Files.isRegularFile(jsa), "the first call records the archive");
        Path socket = root.resolve("switchd.sock");
        try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            daemon.bind(UnixDomainSocketAddress.of(socket));
            Thread t = new Thread(() -> answerNoPorts(daemon));
            t.setDaemon(true);
            t.start();
            Run call = run(Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load"), "-s", socket.toString(), "port", "list");
            assertEquals(0, call.status, call.err);
            assertTrue(call.out.contains(READ_CLASS + " source: shared objects file (top)"),
                    "reading the answer, as --version does not: " + loaded(call.out, READ_CLASS));
        }
    }

    /** One answer, as switchd's to GET /v1/ports with no ports. */
    private static void answerNoPorts(ServerSocketChannel daemon) {
        try (SocketChannel c = daemon.accept()) {
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (!new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).contains("\r\n\r\n")
                    && c.read(in) >= 0) {
                // the request has no body
            }
            c.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            // the test sees switchctl fail
        }
    }

    @Test
    void aNewJarOrANewJdkGetsANewArchive() throws Exception {
        assertEquals(0, run(Map.of(), "--version").status);
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(lib.resolve("switchctl.jar"), FileTime.from(Instant.now().minusSeconds(30)));
        assertEquals(0, run(Map.of(), "--version").status);
        assertTrue(Files.getLastModifiedTime(jsa).toInstant().isAfter(Instant.now().minusSeconds(30)),
                "made again for the newer jar");

        // a JDK whose libjvm.so is newer than the archive, as after an update: a java on the PATH of its own
        Path jdk = Files.createDirectories(root.resolve("jdk/bin"));
        Files.createDirectories(root.resolve("jdk/lib/server"));
        Path java = jdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setLastModifiedTime(lib.resolve("switchctl.jar"), FileTime.from(Instant.now().minusSeconds(120)));
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().minusSeconds(60))); // newer than the jar
        Files.writeString(root.resolve("jdk/lib/server/libjvm.so"), "");
        FileTime before = Files.getLastModifiedTime(jsa);
        assertEquals(0, run(Map.of("PATH", jdk + ":" + System.getenv("PATH")), "--version").status);
        assertTrue(Files.getLastModifiedTime(jsa).compareTo(before) > 0, "made again for the newer JDK");
    }

    @Test
    void whereTheJarsDirectoryIsNotWritableSwitchctlWorksAndUsesAnArchiveRootMade() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to run as nobody");
        Run asNobody = runAs("nobody", Map.of(), "--version");
        assertEquals(0, asNobody.status, asNobody.err);
        assertEquals("switchctl 0.1.0\n", asNobody.out);
        assertEquals("", asNobody.err, "no complaint about the archive it could not write");
        assertFalse(Files.exists(jsa));

        assertEquals(0, run(Map.of(), "--version").status); // root, as install.sh does
        Run used = runAs("nobody", Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load"), "--version");
        assertEquals(0, used.status, used.err);
        assertTrue(used.out.contains("io.switchd.api.cli.Switchctl source: shared objects file (top)"),
                loaded(used.out, "io.switchd.api.cli.Switchctl"));
    }

    private static String loaded(String log, String cls) {
        return log.lines().filter(l -> l.contains(cls + " ")).findFirst().orElse(cls + " not loaded");
    }

    /** switchctl.jar as the shade plugin makes it: this module's classes and its dependencies' in one jar. */
    private static void writeJar(Path jar) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Switchctl.class.getName());
        Set<String> written = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            Path classes = Path.of(Switchctl.class.getProtectionDomain().getCodeSource().getLocation().getPath());
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    try (InputStream in = Files.newInputStream(f)) {
                        add(out, classes.relativize(f).toString(), in, written);
                    }
                }
            }
            for (String entry : System.getProperty("java.class.path").split(":")) {
                String name = Path.of(entry).getFileName().toString();
                if (name.startsWith("jackson-") || name.startsWith("picocli-")) {
                    try (JarFile dep = new JarFile(entry)) {
                        for (JarEntry e : (Iterable<JarEntry>) dep.stream()::iterator) {
                            if (!e.isDirectory() && !e.getName().startsWith("META-INF/")
                                    && !e.getName().endsWith("module-info.class")) {
                                try (InputStream in = dep.getInputStream(e)) {
                                    add(out, e.getName(), in, written);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void add(JarOutputStream out, String name, InputStream in, Set<String> written) throws IOException {
        if (written.add(name)) {
            out.putNextEntry(new JarEntry(name));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        return runAs(null, env, args);
    }

    /** Runs bin/switchctl, as {@code user} if not null; its exit status and output. */
    private Run runAs(String user, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups", "--"));
        }
        cmd.add(root.resolve("bin/switchctl").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().remove("SWITCHD_SOCKET");
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("switchctl " + String.join(" ", args) + " still running after 120 s");
        }
        String e = Files.readString(err).replaceAll("Picked up JAVA_TOOL_OPTIONS: .*\n", "");
        return new Run(p.exitValue(), Files.readString(out), e);
    }

    private record Run(int status, String out, String err) {}
}

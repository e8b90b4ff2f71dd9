package io.switchd.sys;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;

/** What the control socket and the vhost-user sockets need of the files they listen on. */
public final class UnixSocketFiles {
    private UnixSocketFiles() {}

    /** Whether a process listens on the socket file {@code path}: if not, the file is a dead one's, to be replaced. */
    public static boolean listening(Path path) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Puts {@code path} in {@code group} (none: left as it is), changing nothing when it is there already. */
    public static void setGroup(Path path, GroupPrincipal group) throws IOException {
        if (group == null) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (!view.readAttributes().group().equals(group)) {
            view.setGroup(group); // under the unit it is already the service's group: no chown needed
        }
    }
}

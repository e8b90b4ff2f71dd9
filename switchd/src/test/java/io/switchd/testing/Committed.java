package io.switchd.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * Files of this repository as committed, for tests about the files a user is told to edit (the
 * example configurations, the README): the working copy may hold the user's edits, HEAD does not.
 */
public final class Committed {
    private Committed() {}

    /**
     * The text of {@code path} (from the repository's root) at HEAD. Skips the test outside a git
     * checkout (a source tarball), where nothing tells the shipped text from an edited one.
     */
    public static String text(String path) {
        // safe.directory: a clone owned by someone else, as with sudo mvn test as root
        Assumptions.assumeTrue(Netns.status("git", "-c", "safe.directory=*", "rev-parse", "--is-inside-work-tree") == 0,
                "not a git checkout: the committed " + path + " cannot be told from an edited one");
        return Netns.run("git", "-c", "safe.directory=*", "show", "HEAD:" + path);
    }
}

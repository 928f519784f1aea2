package io.lrok.internal.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The text of docs/protocol.md, so tests can check that the spec says what the code does. */
final class Spec {

    private Spec() {
    }

    static String text() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path spec = dir.resolve("docs/protocol.md");
            if (Files.isRegularFile(spec)) {
                try {
                    return Files.readString(spec);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new AssertionError("docs/protocol.md not found above " + Path.of("").toAbsolutePath());
    }
}

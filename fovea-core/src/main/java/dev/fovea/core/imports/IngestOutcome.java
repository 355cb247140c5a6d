package dev.fovea.core.imports;

import dev.fovea.core.image.Rejection;
import java.util.Locale;

/** What happened to one file: a new image, a new source of a known image, a path already imported, or a rejection. */
public record IngestOutcome(String path, Status status, String sha256, Rejection rejection) {
    public enum Status {
        CREATED, DUPLICATE, UNCHANGED, REJECTED;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static IngestOutcome rejected(Rejection rejection) {
        return new IngestOutcome(rejection.path(), Status.REJECTED, null, rejection);
    }
}

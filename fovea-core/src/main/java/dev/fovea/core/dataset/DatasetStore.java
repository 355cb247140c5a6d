package dev.fovea.core.dataset;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Dataset versions and their items. Versions are immutable once stored. */
public interface DatasetStore {
    /**
     * Stores a new version with the next number of its project (the {@code number} field of the argument is
     * ignored) together with all its items, in one transaction; returns it with its number. Two processes freezing
     * at once get different numbers.
     */
    DatasetVersion create(DatasetVersion version, List<DatasetItem> items);

    /** The project's versions, oldest first. */
    List<DatasetVersion> versions(UUID projectId);

    Optional<DatasetVersion> version(UUID projectId, int number);

    /** The items of a version, ordered by SHA-256. */
    List<DatasetItem> items(UUID projectId, int number);
}

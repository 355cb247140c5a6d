package dev.fovea.core.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registered models: numbered versions per name and aliases ({@code production}, {@code staging}, any name) that
 * point at a version. Versions are immutable; an alias moves atomically (one row update), so a reader sees either
 * the old or the new version, never neither.
 */
public interface ModelStore {
    /** Stores a version with the next number of its name (1 for a new name); two processes get different numbers. */
    ModelVersion create(NewModelVersion version);

    /** Model names, sorted. */
    List<String> names();

    /** The versions of a name, oldest first (empty for an unknown name). */
    List<ModelVersion> versions(String name);

    Optional<ModelVersion> version(String name, int version);

    /** Points an alias at an existing version (creating or moving it); not_found when the version does not exist. */
    void setAlias(String name, String alias, int version);

    /** Removes an alias; false when it did not exist. */
    boolean removeAlias(String name, String alias);

    /** The aliases of a name and the versions they point at, sorted by alias. */
    Map<String, Integer> aliases(String name);

    /** Every alias of every model, as name -> alias -> version: what a server polls to notice moves. */
    Map<String, Map<String, Integer>> allAliases();
}

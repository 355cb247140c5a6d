package dev.fovea.core.project;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Where projects live. Implementations throw {@code FoveaException} with code {@code conflict} for a taken name. */
public interface ProjectStore {
    Project create(String name, List<String> classes);

    Optional<Project> find(String name);

    List<Project> list();

    /** The project with this id (projects are few, so scanning the list is fine). */
    default Optional<Project> find(java.util.UUID id) {
        return list().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** Appends the classes the project does not have yet, keeping the existing order; returns the updated project. */
    Project addClasses(String name, Collection<String> classes);

    default Project require(String name) {
        return find(name).orElseThrow(() -> dev.fovea.core.FoveaException.notFound("project '" + name
                + "' does not exist (create it with: fovea project create " + name + " --classes a,b)"));
    }
}

package dev.fovea.core.project;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One classification problem: its name, a stable UUID, and its classes in the order they were declared. */
public record Project(UUID id, String name, List<String> classes, Instant createdAt) {
    public Project {
        ProjectName.check(name);
        classes = List.copyOf(classes);
        classes.forEach(ClassName::check);
    }

    public boolean hasClass(String className) {
        return classes.contains(className);
    }
}

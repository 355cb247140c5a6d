package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.project.ClassName;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectName;
import dev.fovea.core.project.ProjectStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Projects and their ordered classes in two tables. */
public final class JdbcProjectStore implements ProjectStore {
    private final Jdbc jdbc;
    private final Clock clock;

    JdbcProjectStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Project create(String name, List<String> classes) {
        ProjectName.check(name);
        classes.forEach(ClassName::check);
        if (new LinkedHashSet<>(classes).size() != classes.size()) {
            throw FoveaException.invalid("project '" + name + "': class list " + classes + " names a class twice");
        }
        Project project = new Project(UUID.randomUUID(), name, classes, clock.instant());
        return jdbc.transaction("create project " + name, c -> {
            if (!Jdbc.insertUnlessPresent(c, "INSERT INTO project (id, name, created_at, version) VALUES (?, ?, ?, 0)",
                    project.id(), name, project.createdAt())) {
                throw FoveaException.conflict("project '" + name + "' already exists");
            }
            insertClasses(c, project.id(), 0, classes);
            return project;
        });
    }

    private record ProjectRow(UUID id, String name, Instant createdAt) {}

    private static ProjectRow row(java.sql.ResultSet rs) throws SQLException {
        return new ProjectRow(rs.getObject("id", UUID.class), rs.getString("name"), Jdbc.instant(rs, "created_at"));
    }

    @Override
    public Optional<Project> find(String name) {
        return jdbc.one("SELECT id, name, created_at FROM project WHERE name = ?", JdbcProjectStore::row, name)
                .map(this::withClasses);
    }

    @Override
    public List<Project> list() {
        return jdbc.query("SELECT id, name, created_at FROM project ORDER BY name", JdbcProjectStore::row)
                .stream().map(this::withClasses).toList();
    }

    @Override
    public Project addClasses(String name, Collection<String> classes) {
        classes.forEach(ClassName::check);
        jdbc.transaction("add classes to project " + name, c -> {
            List<UUID> found = Jdbc.query(c, "SELECT id FROM project WHERE name = ? FOR UPDATE",
                    rs -> rs.getObject("id", UUID.class), name);
            if (found.isEmpty()) throw FoveaException.notFound("project '" + name + "' does not exist");
            UUID id = found.get(0);
            List<String> existing = classesOf(c, id);
            List<String> added = new ArrayList<>();
            for (String cls : classes) if (!existing.contains(cls) && !added.contains(cls)) added.add(cls);
            insertClasses(c, id, existing.size(), added);
            Jdbc.update(c, "UPDATE project SET version = version + 1 WHERE id = ?", id);
            return added;
        });
        return require(name);
    }

    private static void insertClasses(Connection c, UUID projectId, int firstPosition, List<String> classes)
            throws SQLException {
        int position = firstPosition;
        for (String cls : classes) {
            Jdbc.update(c, "INSERT INTO project_class (project_id, position, name) VALUES (?, ?, ?)",
                    projectId, position++, cls);
        }
    }

    private Project withClasses(ProjectRow row) {
        List<String> classes = jdbc.query("SELECT name FROM project_class WHERE project_id = ? ORDER BY position",
                rs -> rs.getString(1), row.id());
        return new Project(row.id(), row.name(), classes, row.createdAt());
    }

    private static List<String> classesOf(Connection c, UUID id) throws SQLException {
        return Jdbc.query(c, "SELECT name FROM project_class WHERE project_id = ? ORDER BY position",
                rs -> rs.getString(1), id);
    }
}

package dev.fovea.app.server;

import dev.fovea.core.account.Principal;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.User;
import dev.fovea.core.project.Project;
import java.util.Optional;

/**
 * The one rule for who sees a project: admins see every project; a reviewer only the projects they were added to.
 * The guard applies it to every {@link Access#PROJECT_REVIEWERS} route, and the project list filters by it.
 */
final class ProjectMembers {
    private final ServerContext context;

    ProjectMembers(ServerContext context) {
        this.context = context;
    }

    boolean sees(User user, Project project) {
        if (user.role() == Role.ADMIN) return true;
        return context.storage().reviews().reviewers(project.id()).stream().anyMatch(r -> r.userId().equals(user.id()));
    }

    /**
     * Refuses a reviewer who is not in the named project. A missing project is refused the same way, so that a
     * reviewer cannot learn which project names exist.
     */
    void require(Principal principal, String projectName, Route route) {
        if (principal.user().role() == Role.ADMIN) return;
        Optional<Project> project = context.storage().projects().find(projectName);
        if (project.isEmpty() || !sees(principal.user(), project.get())) {
            throw HttpError.forbidden("user '" + principal.user().name() + "' is not a reviewer of project '"
                    + projectName + "' and may not call " + route.method() + " " + route.path());
        }
    }
}

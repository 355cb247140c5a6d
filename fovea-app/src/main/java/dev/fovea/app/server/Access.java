package dev.fovea.app.server;

import dev.fovea.core.account.Scope;

/**
 * Who may call a route: anyone, or a principal whose scope allows {@link #scope}. {@link #projectMembers} marks a
 * route under {@code /api/projects/{project}} that reviewers may call too, but only in the projects they were
 * added to; every other project route needs scope admin, so the membership rule is checked in one place, the guard.
 */
public record Access(boolean open, Scope scope, boolean projectMembers) {
    public static final Access PUBLIC = new Access(true, null, false);
    public static final Access ADMIN = new Access(false, Scope.ADMIN, false);
    public static final Access REVIEW = new Access(false, Scope.REVIEW, false);
    public static final Access PREDICT = new Access(false, Scope.PREDICT, false);
    /** Admins, and reviewers of the project named in the path. */
    public static final Access PROJECT_REVIEWERS = new Access(false, Scope.REVIEW, true);

    public String describe() {
        if (open) return "public";
        return projectMembers ? scope.word() + " (admins and the project's reviewers)" : scope.word();
    }
}

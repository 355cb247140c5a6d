package dev.fovea.app.server;

import dev.fovea.core.account.Scope;

/** Who may call a route: anyone, or a principal whose scope allows {@link #scope}. */
public record Access(boolean open, Scope scope) {
    public static final Access PUBLIC = new Access(true, null);
    public static final Access ADMIN = new Access(false, Scope.ADMIN);
    public static final Access REVIEW = new Access(false, Scope.REVIEW);
    public static final Access PREDICT = new Access(false, Scope.PREDICT);

    public String describe() {
        return open ? "public" : scope.word();
    }
}

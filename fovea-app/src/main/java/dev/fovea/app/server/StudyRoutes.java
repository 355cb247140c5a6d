package dev.fovea.app.server;

import dev.fovea.app.tune.StudyPlans;
import dev.fovea.app.views.Json;
import dev.fovea.app.views.StudyViews;
import dev.fovea.core.FoveaException;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialRecord;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Hyperparameter studies over HTTP, admin-only: the same documents as {@code fovea studies}. */
public final class StudyRoutes {
    /** Trials per page of /api/studies/{name}/trials. */
    static final int PAGE = 200;
    private final ServerContext context;

    StudyRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/studies", Access.ADMIN, "Studies, newest first", this::list),
                new Route(HandlerType.GET, "/api/studies/{name}", Access.ADMIN,
                        "One study: state, best trial, trial counts, budget used (as fovea tune --json)", this::one),
                new Route(HandlerType.GET, "/api/studies/{name}/trials", Access.ADMIN,
                        "A study's trials by number, " + PAGE + " a page (?after=N: only those numbered above N)", this::trials),
                new Route(HandlerType.POST, "/api/studies/{name}/pause", Access.ADMIN, "Start no new trials", this::pause),
                new Route(HandlerType.POST, "/api/studies/{name}/unpause", Access.ADMIN, "Let a paused study go on", this::unpause),
                new Route(HandlerType.POST, "/api/studies/{name}/stop", Access.ADMIN,
                        "Stop for good (?now=true also stops the running trials)", this::stop));
    }

    private StudyStore store() {
        return context.storage().studies();
    }

    private Study study(Context ctx) {
        String name = ctx.pathParam("name");
        return store().find(name).orElseThrow(() -> FoveaException.notFound("study '" + name + "' does not exist"));
    }

    private Map<String, Object> document(Study s, boolean summary) {
        TrialRecord best = StudyPlans.best(store(), s, StudyPlans.space(s).objective()).orElse(null);
        return summary ? StudyViews.summary(s, store().counts(s.id()), best) : StudyViews.json(s, store().counts(s.id()), best);
    }

    private void list(Context ctx) {
        ctx.json(Json.object("studies", store().list().stream().map(s -> document(s, true)).toList()));
    }

    private void one(Context ctx) {
        ctx.json(document(study(ctx), false));
    }

    private void trials(Context ctx) {
        Study s = study(ctx);
        String after = ctx.queryParam("after");
        int from;
        try {
            from = after == null || after.isBlank() ? -1 : Integer.parseInt(after.strip());
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("after '" + after + "' is not a trial number");
        }
        List<TrialRecord> page = store().trials(s.id(), from, PAGE);
        Map<String, Object> doc = StudyViews.trials(page, StudyPlans.brackets(s));
        doc.put("next_after", page.size() == PAGE ? page.get(page.size() - 1).number() : null);
        ctx.json(doc);
    }

    private void pause(Context ctx) {
        change(ctx, Study.State.PAUSED, List.of(Study.State.RUNNING));
    }

    private void unpause(Context ctx) {
        change(ctx, Study.State.RUNNING, List.of(Study.State.PAUSED));
    }

    private void stop(Context ctx) {
        Study s = change(ctx, Study.State.STOPPED, List.of(Study.State.RUNNING, Study.State.PAUSED, Study.State.STOPPED));
        if ("true".equals(ctx.queryParam("now"))) {
            for (TrialRecord t : store().trialsIn(s.id(), Trial.State.RUNNING)) {
                store().finish(s.id(), t.number(), t.version(), Trial.State.STOPPED, null, null,
                        "stopped over the API with now=true", Instant.now());
            }
            ctx.json(document(s, false));
        }
    }

    private Study change(Context ctx, Study.State to, List<Study.State> from) {
        for (int tries = 0; tries < 10; tries++) {
            Study s = study(ctx);
            if (!from.contains(s.state())) {
                throw FoveaException.conflict("study " + s.name() + " is " + s.state().word() + "; it cannot be made " + to.word());
            }
            if (s.state() == to || store().setState(s.id(), s.version(), to)) {
                Study now = store().find(s.id()).orElseThrow();
                ctx.json(document(now, false));
                return now;
            }
        }
        throw FoveaException.conflict("study kept changing while its state was being set; try again");
    }
}

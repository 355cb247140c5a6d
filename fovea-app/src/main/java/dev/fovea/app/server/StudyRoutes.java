package dev.fovea.app.server;

import dev.fovea.app.tune.StudyPlans;
import dev.fovea.app.views.Json;
import dev.fovea.app.views.StudyViews;
import dev.fovea.core.FoveaException;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStates;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.TrialRecord;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;

/** Hyperparameter studies and the workers that run them over HTTP, admin-only: the same documents as the CLI's. */
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
                new Route(HandlerType.GET, "/api/studies/{name}/importance", Access.ADMIN,
                        "Each parameter's share of the objective's variance (fANOVA over the complete trials)", this::importance),
                new Route(HandlerType.GET, "/api/studies/{name}/trials", Access.ADMIN,
                        "A study's trials by number, " + PAGE + " a page (?after=N: only those numbered above N)", this::trials),
                new Route(HandlerType.POST, "/api/studies/{name}/pause", Access.ADMIN, "Start no new trials", this::pause),
                new Route(HandlerType.POST, "/api/studies/{name}/unpause", Access.ADMIN, "Let a paused study go on", this::unpause),
                new Route(HandlerType.POST, "/api/studies/{name}/stop", Access.ADMIN,
                        "Stop for good (?now=true also stops the running trials)", this::stop),
                new Route(HandlerType.GET, "/api/workers", Access.ADMIN,
                        "The workers of this database: name, host, slots, tags, running trials, last heartbeat, state"
                                + " (live, lost or stopped), as fovea workers --json", this::workers));
    }

    private StudyStore store() {
        return context.storage().studies();
    }

    private StudyStates states() {
        return new StudyStates(store(), java.time.Clock.systemUTC());
    }

    private Study study(Context ctx) {
        return states().require(ctx.pathParam("name"));
    }

    private Map<String, Object> document(Study s, boolean summary) {
        return StudyPlans.document(store(), s, summary);
    }

    private void workers(Context ctx) {
        var roster = context.workers();
        ctx.json(dev.fovea.app.views.WorkerViews.list(roster.list(), roster::stateOf));
    }

    private void list(Context ctx) {
        ctx.json(Json.object("studies", store().list().stream().map(s -> document(s, true)).toList()));
    }

    private void one(Context ctx) {
        ctx.json(document(study(ctx), false));
    }

    private void importance(Context ctx) {
        Study s = study(ctx);
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("study", s.name());
        doc.put("complete", store().counts(s.id()).of(dev.fovea.core.tuning.Trial.State.COMPLETE));
        doc.put("importance", StudyPlans.importance(store(), s));
        ctx.json(doc);
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
        Map<String, Object> doc = StudyViews.trials(page, StudyPlans.hyperband(s));
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
        Study s = states().change(ctx.pathParam("name"), Study.State.STOPPED,
                List.of(Study.State.RUNNING, Study.State.PAUSED, Study.State.STOPPED));
        if ("true".equals(ctx.queryParam("now"))) states().stopRunningTrials(s, "stopped over the API with now=true");
        ctx.json(document(store().find(s.id()).orElseThrow(), false));
    }

    private void change(Context ctx, Study.State to, List<Study.State> from) {
        ctx.json(document(states().change(ctx.pathParam("name"), to, from), false));
    }
}

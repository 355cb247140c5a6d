package dev.fovea.app.server;

import dev.fovea.app.views.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.account.Principal;
import dev.fovea.core.account.User;
import dev.fovea.core.project.Project;
import dev.fovea.core.review.ActiveTime;
import dev.fovea.core.review.Consensus;
import dev.fovea.core.review.Decision;
import dev.fovea.core.review.QueueOrder;
import dev.fovea.core.review.Review;
import dev.fovea.core.review.ReviewService;
import dev.fovea.core.review.ReviewSettings;
import dev.fovea.core.review.ReviewStats;
import dev.fovea.core.review.ReviewerInfo;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The review app's API: a reviewer's queue, decisions and undo (scope {@code review}, reviewers of the project
 * only), and the admin's settings, reviewers, gold images, figures, pay report and disagreements (scope admin).
 */
final class ReviewRoutes {
    private static final Parser MARKDOWN = Parser.builder().build();
    // Criteria are written by admins, but rendered for everyone: raw HTML in them is escaped, not run.
    private static final HtmlRenderer HTML = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();
    private final ServerContext context;

    ReviewRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        String p = "/api/projects/{project}";
        return List.of(
                new Route(HandlerType.GET, p + "/review", Access.PROJECT_REVIEWERS,
                        "What a reviewer needs: criteria (as HTML), classes and keys, progress", this::overview),
                new Route(HandlerType.GET, p + "/review/queue", Access.PROJECT_REVIEWERS,
                        "Claim the next images to review (?count=10); images already held come first", this::queue),
                new Route(HandlerType.POST, p + "/reviews", Access.PROJECT_REVIEWERS,
                        "A decision {\"client_id\", \"image\", \"decision\": \"suitable|unsuitable|skip\", \"class\", \"duration_ms\"}", this::submit),
                new Route(HandlerType.POST, p + "/reviews/undo", Access.PROJECT_REVIEWERS, "Undo my latest decision", this::undo),
                new Route(HandlerType.GET, p + "/review/settings", Access.ADMIN, "Review settings", this::settings),
                new Route(HandlerType.PUT, p + "/review/settings", Access.ADMIN,
                        "Replace review settings {criteria, class_keys, reviews_per_image, double_review_fraction, queue_order, idle_seconds, agreement_needed}",
                        this::saveSettings),
                new Route(HandlerType.GET, p + "/reviewers", Access.ADMIN, "Reviewers of the project with rates", this::reviewers),
                new Route(HandlerType.POST, p + "/reviewers", Access.ADMIN,
                        "Add a reviewer or change their rate {\"user\", \"hourly_rate\", \"currency\"}", this::addReviewer),
                new Route(HandlerType.PUT, p + "/reviewers/{user}", Access.ADMIN,
                        "Change a reviewer's rate {\"hourly_rate\", \"currency\"}", this::changeRate),
                new Route(HandlerType.DELETE, p + "/reviewers/{user}", Access.ADMIN,
                        "Remove a reviewer from the project (their reviews stay)", this::removeReviewer),
                new Route(HandlerType.POST, p + "/reviewers/{user}/exclude", Access.ADMIN,
                        "Exclude (or with {\"excluded\": false} include) a reviewer's decisions from labels", this::exclude),
                new Route(HandlerType.GET, p + "/review/stats", Access.ADMIN,
                        "Per reviewer: counts, active time, pay, gold accuracy, agreement; kappas", this::stats),
                new Route(HandlerType.GET, p + "/review/pay.csv", Access.ADMIN, "The pay report, one row per reviewer and day", this::payCsv),
                new Route(HandlerType.GET, p + "/review/disagreements", Access.ADMIN, "Images whose reviewers disagree", this::disagreements),
                new Route(HandlerType.POST, p + "/review/settle", Access.ADMIN,
                        "Settle a disagreement {\"image\", \"decision\", \"class\"}", this::settle),
                new Route(HandlerType.POST, p + "/review/gold", Access.ADMIN,
                        "Mark an image gold with its known answer {\"image\", \"decision\", \"class\"}", this::gold),
                new Route(HandlerType.GET, p + "/review/gold", Access.ADMIN, "The gold images and their known answers", this::goldList),
                new Route(HandlerType.DELETE, p + "/review/gold/{image}", Access.ADMIN, "Make a gold image ordinary again", this::ungold));
    }

    private Project project(Context ctx) {
        return context.storage().projects().require(ctx.pathParam("project"));
    }

    private ReviewService service() {
        return context.reviews();
    }

    private static User user(Context ctx) {
        Principal p = FoveaServer.principal(ctx);
        return p.user();
    }

    private void overview(Context ctx) {
        Project p = project(ctx);
        service().requireReviewer(p, user(ctx));
        ReviewSettings s = service().settings(p);
        ReviewService.Progress progress = service().progress(p, user(ctx));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("project", p.name());
        body.put("criteria_html", HTML.render(MARKDOWN.parse(s.criteria())));
        body.put("classes", p.classes());
        body.put("keys", service().keys(p));
        body.put("reviewed_by_me", progress.reviewedByMe());
        body.put("today_by_me", progress.todayByMe());
        body.put("images", progress.projectImages());
        body.put("labelled", progress.labelled());
        ctx.json(body);
    }

    private void queue(Context ctx) {
        Project p = project(ctx);
        int count = ProjectRoutes.intParam(ctx, "count", 10, 1, 50);
        List<Map<String, Object>> items = new ArrayList<>();
        for (ReviewService.QueueItem item : service().next(p, user(ctx), count)) {
            String base = "/api/projects/" + p.name() + "/images/" + item.sha256();
            items.add(Json.object("id", item.sha256(), "original_url", base + "/original", "thumbnail_url", base + "/thumbnail"));
        }
        ctx.json(Map.of("images", items));
    }

    private void submit(Context ctx) {
        Project p = project(ctx);
        JsonNode body = SessionRoutes.json(ctx);
        UUID clientId;
        try {
            clientId = UUID.fromString(String.valueOf(SessionRoutes.text(body, "client_id")));
        } catch (IllegalArgumentException e) {
            throw FoveaException.invalid("client_id '" + SessionRoutes.text(body, "client_id") + "' is not a UUID");
        }
        ReviewService.Submitted submitted = service().submit(p, user(ctx), SessionRoutes.text(body, "image"),
                Decision.fromWord(SessionRoutes.text(body, "decision")), SessionRoutes.text(body, "class"),
                JsonFields.wholeNumber(body, "duration_ms", 0), clientId);
        Map<String, Object> out = review(submitted.review());
        out.put("repeated", submitted.repeated());
        ctx.status(submitted.repeated() ? 200 : 201).json(out);
    }

    static Map<String, Object> review(Review r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id().toString());
        m.put("image", r.sha256());
        m.put("decision", r.decision().word());
        m.put("class", r.className());
        m.put("duration_ms", r.durationMs());
        m.put("created_at", r.createdAt().toString());
        m.put("undone", r.undone());
        return m;
    }

    private void undo(Context ctx) {
        Project p = project(ctx);
        Optional<Review> undone = service().undoLast(p, user(ctx));
        if (undone.isEmpty()) throw FoveaException.notFound("there is no decision of yours to undo in project '" + p.name() + "'");
        String base = "/api/projects/" + p.name() + "/images/" + undone.get().sha256();
        Map<String, Object> out = review(undone.get());
        out.put("original_url", base + "/original");
        ctx.json(out);
    }

    private void settings(Context ctx) {
        ctx.json(settingsJson(project(ctx)));
    }

    private Map<String, Object> settingsJson(Project p) {
        ReviewSettings s = service().settings(p);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("criteria", s.criteria());
        m.put("class_keys", service().keys(p));
        m.put("reviews_per_image", s.reviewsPerImage());
        m.put("double_review_fraction", s.doubleReviewFraction());
        m.put("queue_order", s.queueOrder().word());
        m.put("idle_seconds", s.idleSeconds());
        m.put("agreement_needed", s.agreementNeeded());
        return m;
    }

    private void saveSettings(Context ctx) {
        Project p = project(ctx);
        JsonNode b = SessionRoutes.json(ctx);
        ReviewSettings current = service().settings(p);
        Map<String, String> keys = new LinkedHashMap<>(current.classKeys());
        Map<String, String> given = JsonFields.textMap(b, "class_keys");
        if (given != null) {
            keys.clear();
            given.forEach((cls, key) -> keys.put(cls, key == null ? "" : key));
        }
        String criteria = JsonFields.text(b, "criteria"), order = JsonFields.text(b, "queue_order");
        ReviewSettings updated = new ReviewSettings(
                criteria != null ? criteria : current.criteria(), keys,
                JsonFields.integer(b, "reviews_per_image", current.reviewsPerImage()),
                JsonFields.number(b, "double_review_fraction", current.doubleReviewFraction()),
                order != null ? QueueOrder.fromWord(order) : current.queueOrder(),
                JsonFields.integer(b, "idle_seconds", current.idleSeconds()),
                JsonFields.integer(b, "agreement_needed", current.agreementNeeded()));
        service().saveSettings(p, updated);
        ctx.json(settingsJson(p));
    }

    private void reviewers(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ReviewerInfo r : service().reviewers(project(ctx))) out.add(reviewer(r));
        ctx.json(Map.of("reviewers", out));
    }

    private static Map<String, Object> reviewer(ReviewerInfo r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", r.userName());
        m.put("hourly_rate", r.hourlyRateCents() / 100.0);
        m.put("currency", r.currency());
        m.put("excluded", r.excluded());
        return m;
    }

    private void addReviewer(Context ctx) {
        Project p = project(ctx);
        JsonNode b = SessionRoutes.json(ctx);
        if (!b.hasNonNull("hourly_rate")) throw FoveaException.invalid("hourly_rate must be a number, e.g. 12.50");
        double rate = JsonFields.number(b, "hourly_rate", 0);
        ReviewerInfo r = service().addReviewer(p, SessionRoutes.text(b, "user"), Math.round(rate * 100),
                SessionRoutes.text(b, "currency"));
        ctx.status(201).json(reviewer(r));
    }

    private void changeRate(Context ctx) {
        Project p = project(ctx);
        JsonNode b = SessionRoutes.json(ctx);
        if (!b.hasNonNull("hourly_rate")) throw FoveaException.invalid("hourly_rate must be a number, e.g. 12.50");
        double rate = JsonFields.number(b, "hourly_rate", 0);
        ctx.json(reviewer(service().changeRate(p, ctx.pathParam("user"), Math.round(rate * 100), JsonFields.text(b, "currency"))));
    }

    private void removeReviewer(Context ctx) {
        service().removeReviewer(project(ctx), ctx.pathParam("user"));
        ctx.status(204);
    }

    private void exclude(Context ctx) {
        Project p = project(ctx);
        boolean excluded = true;
        String raw = ctx.body();
        if (raw != null && !raw.isBlank()) {
            JsonNode b = SessionRoutes.json(ctx);
            excluded = JsonFields.bool(b, "excluded", true);
        }
        service().exclude(p, ctx.pathParam("user"), excluded);
        reviewers(ctx);
    }

    private ReviewStats compute(Project p) {
        return service().stats(p);
    }

    private void stats(Context ctx) {
        Project p = project(ctx);
        ReviewStats stats = compute(p);
        List<Map<String, Object>> reviewers = new ArrayList<>();
        for (ReviewStats.Reviewer r : stats.reviewers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", r.name());
            m.put("excluded", r.excluded());
            m.put("removed", r.removed());
            m.put("reviews", r.reviews());
            m.put("skips", r.skips());
            m.put("undone", r.undone());
            m.put("active_seconds", r.active().toMillis() / 1000.0);
            m.put("images_per_hour", round(r.imagesPerHour(), 1));
            m.put("hourly_rate", r.hourlyRateCents() / 100.0);
            m.put("currency", r.currency());
            m.put("pay", r.payCents() / 100.0);
            m.put("gold_answered", r.goldAnswered());
            m.put("gold_accuracy", nan(r.goldAccuracy()));
            m.put("label_agreement", nan(r.labelAgreement()));
            m.put("compared_with_label", r.comparedWithLabel());
            m.put("agreed_with_label", r.agreedWithLabel());
            List<Map<String, Object>> days = new ArrayList<>();
            for (ActiveTime.Day d : r.days()) {
                days.add(Json.object("day", d.day().toString(), "reviews", d.reviews(), "skips", d.skips(), "undone", d.undone(), "active_seconds", d.active().toMillis() / 1000.0));
            }
            m.put("days", days);
            reviewers.add(m);
        }
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (ReviewStats.Pair pair : stats.pairs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("a", pair.a());
            m.put("b", pair.b());
            m.put("shared_images", pair.sharedImages());
            m.put("kappa", nan(pair.kappa()));
            pairs.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reviewers", reviewers);
        body.put("cohen_kappa", pairs);
        body.put("fleiss_kappa", nan(stats.fleissKappa()));
        Map<String, Long> states = new LinkedHashMap<>();
        stats.states().forEach((k, v) -> states.put(k.name().toLowerCase(), v));
        body.put("images_by_state", states);
        ctx.json(body);
    }

    private void payCsv(Context ctx) {
        Project p = project(ctx);
        ctx.contentType("text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + p.name() + "-pay.csv\"")
                .result(compute(p).payCsv());
    }

    private void disagreements(Context ctx) {
        Project p = project(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, List<Review>> byImage = new LinkedHashMap<>();
        for (Review r : service().store().reviews(p.id())) {
            if (!r.undone() && r.decision() != Decision.SKIP) byImage.computeIfAbsent(r.sha256(), k -> new ArrayList<>()).add(r);
        }
        Map<UUID, String> names = new java.util.HashMap<>();
        context.storage().accounts().users().forEach(u -> names.put(u.id(), u.name()));
        Map<String, String> imported = service().importLabels(p);
        service().outcomes(p).forEach((sha, o) -> {
            if (o.state() != Consensus.State.DISAGREEMENT) return;
            List<Map<String, Object>> answers = new ArrayList<>();
            for (Review r : byImage.getOrDefault(sha, List.of())) {
                answers.add(Json.object("user", names.getOrDefault(r.userId(), "?"), "answer", r.category()));
            }
            Map<String, Object> item = new LinkedHashMap<>(Json.object("id", sha, "thumbnail_url", "/api/projects/" + p.name() + "/images/" + sha + "/thumbnail",
                    "answers", answers));
            item.put("imported_label", imported.get(sha));
            out.add(item);
        });
        ctx.json(Map.of("disagreements", out));
    }

    private void settle(Context ctx) {
        Project p = project(ctx);
        JsonNode b = SessionRoutes.json(ctx);
        service().settle(p, user(ctx), SessionRoutes.text(b, "image"), Decision.fromWord(SessionRoutes.text(b, "decision")),
                SessionRoutes.text(b, "class"));
        ctx.status(204);
    }

    private void gold(Context ctx) {
        Project p = project(ctx);
        JsonNode b = SessionRoutes.json(ctx);
        service().putGold(p, SessionRoutes.text(b, "image"), Decision.fromWord(SessionRoutes.text(b, "decision")),
                SessionRoutes.text(b, "class"));
        ctx.status(204);
    }

    private void goldList(Context ctx) {
        Project p = project(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        service().store().gold(p.id()).values().forEach(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", g.sha256());
            m.put("decision", g.decision().word());
            m.put("class", g.className());
            m.put("thumbnail_url", "/api/projects/" + p.name() + "/images/" + g.sha256() + "/thumbnail");
            out.add(m);
        });
        ctx.json(Map.of("gold", out));
    }

    private void ungold(Context ctx) {
        service().removeGold(project(ctx), ctx.pathParam("image"));
        ctx.status(204);
    }

    private static Object nan(double v) {
        return Double.isNaN(v) ? null : round(v, 4);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

package dev.fovea.app.server;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fovea.app.views.Json;
import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunFilter;
import dev.fovea.core.run.RunQuery;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The part of MLflow's tracking REST API (2.0) that its clients use to record a run, so that a Keras or PyTorch
 * script anywhere that calls {@code mlflow.set_tracking_uri("http://fovea-host:8080")} (with a Fovea admin token as
 * {@code MLFLOW_TRACKING_TOKEN}) records its runs beside Fovea's. Bodies and errors follow MLflow's reference field
 * for field; this is the one place where errors are {@code {"error_code", "message"}}.
 *
 * <p>How MLflow's words map onto Fovea's: an experiment is a project (its name lower-cased, other characters than
 * {@code [a-z0-9-]} made {@code -}; experiment {@code 0}, "Default", is project {@code default}), created on first
 * use with no classes; a run is a run of source {@code mlflow} with no dataset version, its id the Fovea run id as
 * text; a param is a run param (logged once); a metric's step is also its epoch (MLflow has no epochs) and a second
 * value at one step replaces the first; tags named {@code mlflow.*} (user, source, run name) are provenance,
 * {@code mlflow.note.content} is the run's notes, and any other tag is a Fovea tag {@code key=value}.
 */
final class MlflowRoutes {
    static final String BASE = "/api/2.0/mlflow/";
    private static final String DEFAULT_EXPERIMENT = "0";
    private static final String DEFAULT_PROJECT = "default";
    private static final String RUN_NAME = "mlflow.runName";
    private static final String USER = "mlflow.user";
    private static final String NOTE = "mlflow.note.content";
    /** MLflow's own limits on one log-batch call. */
    private static final int MAX_BATCH_METRICS = 1000, MAX_BATCH_PARAMS = 100, MAX_BATCH_TAGS = 100;
    // Python's json writes NaN and Infinity as bare words; MLflow's server reads them, so this reader does too.
    private static final JsonMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final ServerContext context;

    MlflowRoutes(ServerContext context) {
        this.context = context;
    }

    static boolean handles(String path) {
        return path.startsWith(BASE);
    }

    /** MLflow's error body, with its code for the status. */
    static Map<String, Object> error(int status, String code, String message) {
        String mlflow = switch (status) {
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "RESOURCE_DOES_NOT_EXIST";
            case 409 -> "RESOURCE_ALREADY_EXISTS";
            case 429 -> "REQUEST_LIMIT_EXCEEDED";
            default -> status >= 500 ? "INTERNAL_ERROR" : "INVALID_PARAMETER_VALUE";
        };
        return Json.object("error_code", mlflow, "message", message);
    }

    List<Route> routes() {
        return List.of(
                route(HandlerType.POST, "experiments/create", "Create an experiment (a project) {\"name\"}", this::createExperiment),
                route(HandlerType.GET, "experiments/get-by-name", "An experiment by name (?experiment_name=)", this::experimentByName),
                route(HandlerType.GET, "experiments/get", "An experiment by id (?experiment_id=)", this::experiment),
                route(HandlerType.POST, "runs/create", "Start a run {\"experiment_id\", \"run_name\", \"start_time\", \"tags\"}", this::createRun),
                route(HandlerType.POST, "runs/update", "End or rename a run {\"run_id\", \"status\", \"end_time\", \"run_name\"}", this::updateRun),
                route(HandlerType.GET, "runs/get", "A run with its latest metrics, params and tags (?run_id=)", this::getRun),
                route(HandlerType.POST, "runs/search",
                        "Runs of an experiment {\"experiment_ids\", \"filter\", \"max_results\", \"order_by\", \"page_token\"}", this::search),
                route(HandlerType.POST, "runs/log-parameter", "Log a param {\"run_id\", \"key\", \"value\"}", this::logParameter),
                route(HandlerType.POST, "runs/log-metric", "Log a metric {\"run_id\", \"key\", \"value\", \"timestamp\", \"step\"}", this::logMetric),
                route(HandlerType.POST, "runs/log-batch", "Log metrics, params and tags {\"run_id\", \"metrics\", \"params\", \"tags\"}", this::logBatch),
                route(HandlerType.POST, "runs/set-tag", "Set a tag {\"run_id\", \"key\", \"value\"}", this::setTag));
    }

    private static Route route(HandlerType method, String path, String summary, io.javalin.http.Handler handler) {
        return new Route(method, BASE + path, Access.ADMIN, "MLflow tracking API: " + summary, handler);
    }

    private RunStore runs() {
        return context.storage().runs();
    }

    private ProjectStore projects() {
        return context.storage().projects();
    }

    // ---- requests

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = LENIENT.readTree(ctx.body());
            if (node == null || !node.isObject()) throw FoveaException.invalid("the request body must be a JSON object");
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw FoveaException.invalid("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String required(JsonNode body, String field) {
        String v = JsonFields.text(body, field);
        if (v == null || v.isBlank()) throw FoveaException.invalid("Missing value for required parameter '" + field + "'");
        return v;
    }

    private static String requiredQuery(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) throw FoveaException.invalid("Missing value for required parameter '" + name + "'");
        return v;
    }

    /** MLflow sends numbers as JSON numbers, and some clients as text ("1700000000000"): both are read. */
    private static Long wholeNumber(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isIntegralNumber()) return v.asLong();
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw FoveaException.invalid("field '" + field + "' must be a whole number, not " + JsonFields.describe(v));
    }

    private static double number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) throw FoveaException.invalid("Missing value for required parameter '" + field + "'");
        if (v.isNumber()) return v.asDouble();
        if (v.isTextual()) {
            String t = v.asText().trim();
            switch (t) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    Double d = RunFilter.number(t);
                    if (d != null) return d;
            }
        }
        throw FoveaException.invalid("field '" + field + "' must be a number, not " + JsonFields.describe(v));
    }

    private Run run(String runId) {
        long id;
        try {
            id = Long.parseLong(runId.trim());
        } catch (NumberFormatException e) {
            throw FoveaException.notFound("Run '" + runId + "' not found (Fovea's run ids are numbers)");
        }
        return runs().run(id).orElseThrow(() -> FoveaException.notFound("Run '" + runId + "' not found"));
    }

    // ---- experiments

    /** The project an experiment name maps to. */
    static String projectName(String experiment) {
        String n = experiment.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+", "");
        if (n.length() > 63) n = n.substring(0, 63);
        n = n.replaceAll("-+$", "");
        if (n.isEmpty()) throw FoveaException.invalid("experiment name '" + experiment + "' has no letter or digit to name a project by");
        return n;
    }

    private static String experimentId(Project p) {
        return p.name().equals(DEFAULT_PROJECT) ? DEFAULT_EXPERIMENT : p.id().toString();
    }

    private Project experimentProject(String experimentId) {
        if (experimentId.equals(DEFAULT_EXPERIMENT)) return projects().find(DEFAULT_PROJECT).orElseGet(() -> create(DEFAULT_PROJECT));
        UUID id;
        try {
            id = UUID.fromString(experimentId.trim());
        } catch (IllegalArgumentException e) {
            throw FoveaException.notFound("No Experiment with id=" + experimentId + " exists");
        }
        return projects().find(id).orElseThrow(() -> FoveaException.notFound("No Experiment with id=" + experimentId + " exists"));
    }

    private Project create(String name) {
        try {
            return projects().create(name, List.of());
        } catch (FoveaException e) {
            // Another request made it a moment ago.
            return projects().find(name).orElseThrow(() -> e);
        }
    }

    private static Map<String, Object> experimentJson(Project p) {
        long created = p.createdAt().toEpochMilli();
        return Json.object("experiment_id", experimentId(p), "name", p.name(), "artifact_location", "",
                "lifecycle_stage", "active", "last_update_time", created, "creation_time", created, "tags", List.of());
    }

    private void createExperiment(Context ctx) {
        String name = projectName(required(body(ctx), "name"));
        if (projects().find(name).isPresent()) {
            throw FoveaException.conflict("Experiment '" + name + "' already exists (project " + name + ")");
        }
        ctx.json(Json.object("experiment_id", experimentId(create(name))));
    }

    private void experimentByName(Context ctx) {
        String given = requiredQuery(ctx, "experiment_name");
        String name = given.equals("Default") ? DEFAULT_PROJECT : projectName(given);
        Optional<Project> p = projects().find(name);
        if (p.isEmpty() && name.equals(DEFAULT_PROJECT)) p = Optional.of(create(DEFAULT_PROJECT));
        Project project = p.orElseThrow(() -> FoveaException.notFound("Could not find experiment with name '" + given + "'"));
        ctx.json(Json.object("experiment", experimentJson(project)));
    }

    private void experiment(Context ctx) {
        ctx.json(Json.object("experiment", experimentJson(experimentProject(requiredQuery(ctx, "experiment_id")))));
    }

    // ---- runs

    private static String mlflowStatus(RunStatus s) {
        return switch (s) {
            case QUEUED -> "SCHEDULED";
            case RUNNING -> "RUNNING";
            case FINISHED -> "FINISHED";
            case FAILED -> "FAILED";
            case STOPPED -> "KILLED";
        };
    }

    private static RunStatus foveaStatus(String s) {
        return switch (s) {
            case "SCHEDULED" -> RunStatus.QUEUED;
            case "RUNNING" -> RunStatus.RUNNING;
            case "FINISHED" -> RunStatus.FINISHED;
            case "FAILED" -> RunStatus.FAILED;
            case "KILLED" -> RunStatus.STOPPED;
            default -> throw FoveaException.invalid("run status '" + s + "' is not one of RUNNING, SCHEDULED, FINISHED,"
                    + " FAILED, KILLED");
        };
    }

    private Map<String, Object> info(Run r) {
        String experiment = r.projectId() == null ? null
                : projects().find(r.projectId()).map(MlflowRoutes::experimentId).orElse(null);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", Long.toString(r.id()));
        info.put("run_uuid", Long.toString(r.id()));
        info.put("run_name", r.provenance().getOrDefault(RUN_NAME, "run-" + r.id()));
        info.put("experiment_id", experiment);
        info.put("user_id", r.provenance().getOrDefault(USER, ""));
        info.put("status", mlflowStatus(r.status()));
        info.put("start_time", r.createdAt().toEpochMilli());
        if (r.endedAt() != null) info.put("end_time", r.endedAt().toEpochMilli());
        info.put("artifact_uri", "");
        info.put("lifecycle_stage", "active");
        return info;
    }

    /** MLflow's tags of a run: its mlflow.* provenance, its notes and its Fovea tags read back as key=value. */
    private static List<Map<String, Object>> tags(Run r) {
        List<Map<String, Object>> out = new ArrayList<>();
        r.provenance().forEach((k, v) -> {
            if (k.startsWith("mlflow.")) out.add(Json.object("key", k, "value", v));
        });
        if (r.notes() != null && !r.notes().isEmpty()) out.add(Json.object("key", NOTE, "value", r.notes()));
        for (String t : r.tags()) {
            int eq = t.indexOf('=');
            out.add(eq < 0 ? Json.object("key", t, "value", "") : Json.object("key", t.substring(0, eq), "value", t.substring(eq + 1)));
        }
        return out;
    }

    /**
     * A run as MLflow's {@code Run}. With {@code points}, each metric's latest value (highest step) with its time;
     * without (a search), the latest value from the run's metric ranges, timed at the run's last heartbeat.
     */
    private Map<String, Object> runJson(Run r, List<MetricPoint> points, Map<String, RunStore.MetricRange> ranges) {
        List<Map<String, Object>> metrics = new ArrayList<>();
        if (points != null) {
            Map<String, MetricPoint> latest = new LinkedHashMap<>();
            for (MetricPoint p : points) latest.merge(p.key(), p, (a, b) -> b.step() >= a.step() ? b : a);
            latest.values().forEach(p -> metrics.add(Json.object("key", p.key(), "value", p.value(),
                    "timestamp", p.at().toEpochMilli(), "step", p.step())));
        } else {
            long at = (r.heartbeatAt() == null ? r.createdAt() : r.heartbeatAt()).toEpochMilli();
            ranges.forEach((k, m) -> metrics.add(Json.object("key", k, "value", m.last(), "timestamp", at, "step", m.lastStep())));
        }
        List<Map<String, Object>> params = new ArrayList<>();
        r.params().forEach((k, v) -> params.add(Json.object("key", k, "value", v)));
        return Json.object("info", info(r), "data", Json.object("metrics", metrics, "params", params, "tags", tags(r)),
                "inputs", Map.of());
    }

    private record Tag(String key, String value) {}

    private static List<Tag> tagList(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw FoveaException.invalid("field '" + field + "' must be a list of {\"key\", \"value\"}");
        List<Tag> out = new ArrayList<>();
        for (JsonNode t : v) {
            if (!t.isObject()) throw FoveaException.invalid("an item of '" + field + "' must be {\"key\", \"value\"}, not " + JsonFields.describe(t));
            String value = JsonFields.text(t, "value");
            out.add(new Tag(required(t, "key"), value == null ? "" : value));
        }
        return out;
    }

    /** Applies MLflow tags to a run: provenance, notes or Fovea tags (replacing a tag of the same key). */
    private void applyTags(Run r, List<Tag> given) {
        Map<String, String> provenance = new LinkedHashMap<>();
        List<String> tags = new ArrayList<>(r.tags());
        String notes = null;
        for (Tag t : given) {
            if (t.key().equals(NOTE)) notes = t.value();
            else if (t.key().startsWith("mlflow.")) provenance.put(t.key(), t.value());
            else {
                if (t.key().contains("=")) throw FoveaException.invalid("tag key '" + t.key() + "' has an '=', which Fovea's tags keep for key=value");
                String tag = t.value().isEmpty() ? t.key() : t.key() + "=" + t.value();
                if (tag.length() > 100) {
                    throw FoveaException.invalid("tag '" + t.key() + "' of run " + r.id() + " is " + tag.length()
                            + " characters as key=value; Fovea's tags have at most 100");
                }
                tags.removeIf(x -> x.equals(t.key()) || x.startsWith(t.key() + "="));
                tags.add(tag);
            }
        }
        if (!provenance.isEmpty()) runs().putProvenance(r.id(), provenance);
        if (notes != null) runs().setNotes(r.id(), notes);
        if (!tags.equals(r.tags())) runs().setTags(r.id(), tags);
    }

    private void createRun(Context ctx) {
        JsonNode b = body(ctx);
        String experiment = JsonFields.text(b, "experiment_id");
        Project p = experimentProject(experiment == null || experiment.isBlank() ? DEFAULT_EXPERIMENT : experiment);
        Long start = wholeNumber(b, "start_time");
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("project", p.name());
        String user = JsonFields.text(b, "user_id"), name = JsonFields.text(b, "run_name");
        if (user != null && !user.isBlank()) provenance.put(USER, user);
        if (name != null && !name.isBlank()) provenance.put(RUN_NAME, name);
        Instant at = start == null ? context.clock().instant() : Instant.ofEpochMilli(start);
        Run r = runs().create(NewRun.recorded(p.id(), Map.of(), provenance, List.of(), at));
        applyTags(r, tagList(b, "tags"));
        Run now = runs().run(r.id()).orElseThrow();
        ctx.json(Json.object("run", runJson(now, List.of(), null)));
    }

    private void updateRun(Context ctx) {
        JsonNode b = body(ctx);
        String id = JsonFields.text(b, "run_id");
        if (id == null || id.isBlank()) id = required(b, "run_uuid");
        Run r = run(id);
        String name = JsonFields.text(b, "run_name");
        if (name != null && !name.isBlank()) runs().putProvenance(r.id(), Map.of(RUN_NAME, name));
        String status = JsonFields.text(b, "status");
        if (status != null && !status.isBlank()) {
            RunStatus to = foveaStatus(status);
            Long end = wholeNumber(b, "end_time");
            Instant at = end == null ? context.clock().instant() : Instant.ofEpochMilli(end);
            Run now = runs().run(r.id()).orElseThrow();
            if (now.status() != to && !runs().setStatus(r.id(), now.version(), to, to == RunStatus.FAILED ? "failed (MLflow client)" : null, at)) {
                throw FoveaException.conflict("run " + r.id() + " was changed by another request; update it again");
            }
        }
        ctx.json(Json.object("run_info", info(runs().run(r.id()).orElseThrow())));
    }

    private void getRun(Context ctx) {
        String id = ctx.queryParam("run_id");
        if (id == null || id.isBlank()) id = requiredQuery(ctx, "run_uuid");
        Run r = run(id);
        ctx.json(Json.object("run", runJson(r, runs().metrics(r.id(), null), null)));
    }

    private void logParameter(Context ctx) {
        JsonNode b = body(ctx);
        Run r = run(required(b, "run_id"));
        String value = JsonFields.text(b, "value");
        runs().addParams(r.id(), Map.of(required(b, "key"), value == null ? "" : value));
        ctx.json(Map.of());
    }

    private MetricPoint metric(JsonNode m) {
        Long step = wholeNumber(m, "step"), ts = wholeNumber(m, "timestamp");
        long s = step == null ? 0 : step;
        if (s < 0) throw FoveaException.invalid("metric step " + s + " is below 0");
        // The step is also the epoch: MLflow has none, and the run page draws curves along either.
        return new MetricPoint(required(m, "key"), s, (int) Math.min(s, Integer.MAX_VALUE), number(m, "value"),
                ts == null ? context.clock().instant() : Instant.ofEpochMilli(ts));
    }

    private void logMetric(Context ctx) {
        JsonNode b = body(ctx);
        Run r = run(required(b, "run_id"));
        runs().addMetrics(r.id(), List.of(metric(b)));
        ctx.json(Map.of());
    }

    private void logBatch(Context ctx) {
        JsonNode b = body(ctx);
        Run r = run(required(b, "run_id"));
        JsonNode metrics = b.get("metrics"), params = b.get("params");
        int nm = metrics == null || !metrics.isArray() ? 0 : metrics.size(), np = params == null || !params.isArray() ? 0 : params.size();
        List<Tag> tags = tagList(b, "tags");
        if (nm > MAX_BATCH_METRICS || np > MAX_BATCH_PARAMS || tags.size() > MAX_BATCH_TAGS) {
            throw FoveaException.invalid("A batch logging request can contain at most " + MAX_BATCH_METRICS + " metrics, "
                    + MAX_BATCH_PARAMS + " params and " + MAX_BATCH_TAGS + " tags; got " + nm + ", " + np + " and " + tags.size());
        }
        if (np > 0) {
            Map<String, String> p = new LinkedHashMap<>();
            for (JsonNode x : params) {
                String value = JsonFields.text(x, "value");
                p.put(required(x, "key"), value == null ? "" : value);
            }
            runs().addParams(r.id(), p);
        }
        if (nm > 0) {
            List<MetricPoint> points = new ArrayList<>();
            for (JsonNode x : metrics) points.add(metric(x));
            runs().addMetrics(r.id(), points);
        }
        if (!tags.isEmpty()) applyTags(runs().run(r.id()).orElseThrow(), tags);
        ctx.json(Map.of());
    }

    private void setTag(Context ctx) {
        JsonNode b = body(ctx);
        Run r = run(required(b, "run_id"));
        String value = JsonFields.text(b, "value");
        applyTags(r, List.of(new Tag(required(b, "key"), value == null ? "" : value)));
        ctx.json(Map.of());
    }

    // ---- search

    private void search(Context ctx) {
        JsonNode b = body(ctx);
        List<String> experiments = JsonFields.texts(b, "experiment_ids");
        if (experiments == null || experiments.isEmpty()) throw FoveaException.invalid("Missing value for required parameter 'experiment_ids'");
        if (experiments.size() > 1) {
            throw FoveaException.invalid("Fovea searches one experiment at a time; got " + experiments.size() + " experiment ids");
        }
        Project p = experimentProject(experiments.get(0));
        // MLflow compares a metric's latest value, not its best.
        List<RunQuery.Condition> conditions = new ArrayList<>();
        for (RunQuery.Condition c : RunFilter.parse(JsonFields.text(b, "filter"))) {
            conditions.add(c.field() == RunQuery.Field.METRIC
                    ? new RunQuery.Condition(c.field(), c.name(), c.op(), c.text(), c.number(), RunQuery.Aggregate.LAST) : c);
        }
        long max = JsonFields.wholeNumber(b, "max_results", 1000);
        if (max < 1 || max > 50_000) throw FoveaException.invalid("max_results " + max + " is not 1 to 50000");
        int limit = (int) Math.min(max, RunQuery.MAX_LIMIT);
        int offset = offset(JsonFields.text(b, "page_token"));
        List<String> orderBy = JsonFields.texts(b, "order_by");
        RunQuery.Sort sort = orderBy == null || orderBy.isEmpty() ? RunQuery.Sort.NEWEST : sort(orderBy.get(0));
        RunStore.RunPage page = runs().search(new RunQuery(p.id(), null, null, null, null, null, conditions, sort, limit, offset));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Run r : page.runs()) out.add(runJson(r, null, page.ranges().getOrDefault(r.id(), Map.of())));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("runs", out);
        if (offset + page.runs().size() < page.total()) doc.put("next_page_token", token(offset + page.runs().size()));
        ctx.json(doc);
    }

    /** One {@code order_by} clause: {@code metrics.rmse DESC}, {@code params.lr}, {@code attributes.start_time ASC}. */
    private static RunQuery.Sort sort(String clause) {
        String[] parts = clause.trim().split("\\s+");
        if (parts.length > 2 || (parts.length == 2 && !parts[1].equalsIgnoreCase("asc") && !parts[1].equalsIgnoreCase("desc"))) {
            throw FoveaException.invalid("order_by clause '" + clause + "' is not KEY [ASC|DESC]");
        }
        boolean descending = parts.length == 2 && parts[1].equalsIgnoreCase("desc");
        String key = parts[0].replace("`", "");
        String attribute = key.replaceFirst("^(attributes?|attr|run)\\.", "");
        if (List.of("start_time", "created").contains(attribute)) return new RunQuery.Sort(null, "created", null, descending);
        if (attribute.equals("status")) return new RunQuery.Sort(null, "status", null, descending);
        RunQuery.Sort s = RunQuery.Sort.parse(key, null, descending);
        // MLflow orders by a metric's latest value.
        return s.field() == RunQuery.Field.METRIC ? new RunQuery.Sort(s.field(), s.name(), RunQuery.Aggregate.LAST, descending) : s;
    }

    private static String token(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int offset(String token) {
        if (token == null || token.isBlank()) return 0;
        try {
            String t = new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8);
            if (t.startsWith("offset:")) return Math.max(0, Integer.parseInt(t.substring(7)));
        } catch (IllegalArgumentException e) {
            // not one of ours: the error below
        }
        throw FoveaException.invalid("page_token '" + token + "' is not one this server gave");
    }
}

package dev.fovea.app.views;

import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Studies and trials as the JSON documents {@code fovea tune}, {@code fovea studies} and /api/studies share. */
public final class StudyViews {
    private StudyViews() {}

    /** An ordered map whose values may be null (a budget without a limit, a trial without a value yet). */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** A study document in words, for people: "finished: 10 complete, 2 pruned; best 0.398 (trial 7, run 9)". */
    @SuppressWarnings("unchecked")
    public static String words(Map<String, Object> doc) {
        Map<String, Object> t = (Map<String, Object>) doc.get("trials");
        StringBuilder out = new StringBuilder(doc.get("state") + ": ");
        List<String> parts = new java.util.ArrayList<>();
        t.forEach((k, v) -> { if (((Integer) v) > 0) parts.add(v + " " + k); });
        out.append(parts.isEmpty() ? "no trials" : String.join(", ", parts));
        out.append("; ").append(doc.get("epochs_used")).append(" epochs in ").append(doc.get("seconds")).append(" s");
        Map<String, Object> best = (Map<String, Object>) doc.get("best");
        if (best == null) return out.append("; no complete trial yet").toString();
        Map<String, Object> params = (Map<String, Object>) best.get("params");
        return out.append(String.format(Locale.ROOT, "; best %.6g (trial %s, run %s): ", (Double) best.get("value"),
                best.get("trial"), best.get("run"))).append(params.entrySet().stream().map(e -> e.getKey() + " "
                + e.getValue()).collect(java.util.stream.Collectors.joining(", "))).toString();
    }

    /** {@code tune --json} and {@code studies show --json}. */
    public static Map<String, Object> json(Study s, StudyStore.Counts counts, TrialRecord best) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("study", s.id());
        doc.put("name", s.name());
        doc.put("state", s.state().word());
        doc.put("best", best == null ? null : map("trial", best.number(), "run", best.runId(),
                "value", best.value(), "params", best.params()));
        doc.put("trials", map("complete", counts.of(Trial.State.COMPLETE), "pruned", counts.of(Trial.State.PRUNED),
                "failed", counts.of(Trial.State.FAILED), "running", counts.of(Trial.State.RUNNING),
                "queued", counts.of(Trial.State.QUEUED)));
        doc.put("epochs_used", counts.epochsUsed());
        doc.put("seconds", Math.round(s.secondsUsed() * 10) / 10.0);
        return doc;
    }

    /** One study in a list: the same as {@link #json} with how it was set up. */
    public static Map<String, Object> summary(Study s, StudyStore.Counts counts, TrialRecord best) {
        Map<String, Object> doc = json(s, counts, best);
        doc.put("objective", s.objective());
        doc.put("sampler", s.sampler());
        doc.put("pruner", s.pruner());
        doc.put("seed", s.seed());
        doc.put("budget", map("trials", s.budget().trials(), "epochs_total", s.budget().epochsTotal(),
                "seconds", s.budget().seconds()));
        doc.put("parallel", s.parallel());
        doc.put("created_at", s.createdAt().toString());
        return doc;
    }

    public static Map<String, Object> trial(TrialRecord t) {
        return trial(t, null);
    }

    /**
     * A trial; {@code hyperband} (the pruner of a Hyperband study, else null) adds its bracket and the highest rung
     * of it the trial reached ({@code rung}, 0 for the first; null before it).
     */
    public static Map<String, Object> trial(TrialRecord t, dev.fovea.core.tuning.HyperbandPruner hyperband) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("number", t.number());
        doc.put("state", t.state().name().toLowerCase(Locale.ROOT));
        doc.put("value", t.value());
        doc.put("params", t.params());
        doc.put("epochs", t.curve().size());
        doc.put("run", t.runId());
        doc.put("pruned_at", t.prunedAt());
        doc.put("checkpoint_epoch", t.checkpointEpoch());
        doc.put("deaths", t.deaths());
        if (hyperband != null) {
            doc.put("bracket", hyperband.bracket(t.number()));
            int rung = hyperband.rungReached(t.number(), t.curve().size());
            doc.put("rung", rung < 0 ? null : rung);
        }
        if (t.error() != null) doc.put("error", t.error());
        doc.put("attempts", t.attempts().stream().map(a -> {
            Map<String, Object> m = (map("worker", a.worker(), "host", a.host(), "pid", a.pid(),
                    "started", a.started().toString(), "ended", a.ended() == null ? null : a.ended().toString(),
                    "outcome", a.outcome(), "resumed_from", a.resumedFrom(), "epochs", a.epochs()));
            if (a.detail() != null) m.put("detail", a.detail());
            return m;
        }).toList());
        return doc;
    }

    public static Map<String, Object> trials(List<TrialRecord> trials, dev.fovea.core.tuning.HyperbandPruner hyperband) {
        return (map("trials", trials.stream().map(t -> trial(t, hyperband)).toList()));
    }
}

package dev.fovea.app.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.core.FoveaException;
import dev.fovea.core.tuning.AshaPruner;
import dev.fovea.core.tuning.GridSampler;
import dev.fovea.core.tuning.MedianPruner;
import dev.fovea.core.tuning.Objective;
import dev.fovea.core.tuning.Param;
import dev.fovea.core.tuning.Pruner;
import dev.fovea.core.tuning.RandomSampler;
import dev.fovea.core.tuning.Sampler;
import dev.fovea.core.tuning.SearchSpace;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/** A stored study's search space, sampler and pruner, made again from its record, and its best trial. */
public final class StudyPlans {
    public static final List<String> SAMPLERS = List.of("tpe", "random", "grid", "evolution", "cmaes");
    public static final List<String> PRUNERS = List.of("asha", "median", "hyperband", "none");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private StudyPlans() {}

    /** A YAML document as a map; text that is not a YAML map is refused naming {@code what}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> yaml(String text, String what) {
        Object doc;
        try {
            doc = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage() == null ? "" : ": " + e.getOriginalMessage().lines().findFirst().orElse("");
            throw FoveaException.invalid(what + " is not YAML" + detail);
        }
        if (!(doc instanceof Map<?, ?> m)) throw FoveaException.invalid(what + " is not a YAML map of objective and params");
        return (Map<String, Object>) m;
    }

    /** The search space of a study: its text checked again as when it was created. */
    public static SearchSpace space(String objective, String spaceText) {
        if (objective.startsWith("synthetic:")) {
            SyntheticObjective f = SyntheticObjective.named(objective.substring("synthetic:".length()));
            if (spaceText == null) return f.space();
            List<String> variables = f.space().params().stream().map(Param::name).toList();
            BiConsumer<String, Object> check = (key, value) -> {
                if (!variables.contains(key)) {
                    throw FoveaException.invalid("search space parameter '" + key + "' is not a variable of " + objective
                            + " (" + String.join(", ", variables) + ")");
                }
            };
            return SearchSpace.fromMap(yaml(spaceText, "the search space"), check);
        }
        if (spaceText == null) throw FoveaException.invalid("a training study needs a search space (--space FILE.yaml)");
        return SearchSpace.fromMap(yaml(spaceText, "the search space"), SearchSpace.TRAINING_SETTINGS);
    }

    public static SearchSpace space(Study s) {
        return space(s.objective(), s.spaceText());
    }

    public static Sampler sampler(String name) {
        return switch (name) {
            case "tpe" -> dev.fovea.core.tuning.TpeSampler.defaults();
            case "random" -> new RandomSampler();
            case "grid" -> new GridSampler();
            case "evolution" -> dev.fovea.core.tuning.EvolutionSampler.defaults();
            case "cmaes" -> dev.fovea.core.tuning.CmaEsSampler.defaults();
            default -> throw FoveaException.invalid("--sampler must be one of " + String.join(", ", SAMPLERS) + ", not '" + name + "'");
        };
    }

    /** The study's pruner; Hyperband's brackets reach up to the trials' epochs. */
    public static Pruner pruner(Study study, SearchSpace space) {
        if (!study.pruner().equals("hyperband")) return pruner(study.pruner());
        return new dev.fovea.core.tuning.HyperbandPruner(1, Math.max(1, maxEpochs(study, space)), 3);
    }

    /** A Hyperband study's pruner (its brackets and rungs), null for any other study. */
    public static dev.fovea.core.tuning.HyperbandPruner hyperband(Study study) {
        if (!study.pruner().equals("hyperband")) return null;
        return (dev.fovea.core.tuning.HyperbandPruner) pruner(study, space(study));
    }

    /** The most epochs a trial of the study trains: its synthetic epochs, or the space's (or fixed) epochs setting. */
    static int maxEpochs(Study study, SearchSpace space) {
        if (study.synthetic()) return Integer.parseInt(study.options().getOrDefault("synthetic_epochs", "10"));
        for (Param p : space.params()) {
            if (p.name().equals("epochs")) {
                return p.numeric() ? (int) p.high() : ((Number) p.choices().stream().map(v -> (Number) v)
                        .max((a, b) -> Double.compare(a.doubleValue(), b.doubleValue())).orElse(30)).intValue();
            }
        }
        return TrainingTrials.settings(study.options(), Map.of()).epochs();
    }

    public static Pruner pruner(String name) {
        return switch (name) {
            case "hyperband" -> new dev.fovea.core.tuning.HyperbandPruner(1, 27, 3); // checked here; sized per study
            case "asha" -> AshaPruner.defaults();
            case "median" -> MedianPruner.defaults();
            case "none" -> Pruner.NONE;
            default -> throw FoveaException.invalid("--pruner must be one of " + String.join(", ", PRUNERS) + ", not '" + name + "'");
        };
    }

    /** A study as {@code tune --json} and {@code studies show --json} give it; {@code summary} adds its setup (lists). */
    public static Map<String, Object> document(StudyStore store, Study study, boolean summary) {
        TrialRecord best = best(store, study, space(study).objective()).orElse(null);
        return summary ? dev.fovea.app.views.StudyViews.summary(study, store.counts(study.id()), best)
                : dev.fovea.app.views.StudyViews.json(study, store.counts(study.id()), best);
    }

    /**
     * Each parameter's share of the variance of the objective over the complete trials (fANOVA over a random
     * forest, seeded with the study's seed so that the same trials give the same shares), largest first.
     */
    public static Map<String, Double> importance(StudyStore store, Study study) {
        List<Trial> complete = store.trialsIn(study.id(), Trial.State.COMPLETE).stream().map(TrialRecord::trial).toList();
        return dev.fovea.core.tuning.ParamImportance.defaults(study.seed()).of(space(study), complete);
    }

    /** The complete trial with the best value (the first of equals), if any. */
    public static Optional<TrialRecord> best(StudyStore store, Study study, Objective objective) {
        TrialRecord best = null;
        for (TrialRecord t : store.trialsIn(study.id(), Trial.State.COMPLETE)) {
            if (t.value() != null && (best == null || objective.better(t.value(), best.value()))) best = t;
        }
        return Optional.ofNullable(best);
    }
}

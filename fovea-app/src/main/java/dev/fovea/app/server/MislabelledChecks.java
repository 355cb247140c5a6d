package dev.fovea.app.server;

import dev.fovea.core.FoveaException;
import dev.fovea.core.mislabel.MislabelService;
import dev.fovea.core.project.Project;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@code likely_mislabelled} checks, started from the checks page: one at a time per server (each
 * trains a model per fold on all cores), with the state of each project's latest one for the page to poll. A check
 * that a restart cuts short loses only its own work: the flags of the previous one stay until a new one finishes.
 */
final class MislabelledChecks {
    private static final Logger LOG = LoggerFactory.getLogger(MislabelledChecks.class);

    /** Where one project's latest check is; {@code error} only when it failed. */
    record State(String state, int fold, int folds, int epoch, int epochs, Instant startedAt, Instant finishedAt,
            Integer found, Integer images, Double accuracy, String error) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", state);
            m.put("fold", fold);
            m.put("folds", folds);
            m.put("epoch", epoch);
            m.put("epochs", epochs);
            m.put("started_at", startedAt == null ? null : startedAt.toString());
            m.put("finished_at", finishedAt == null ? null : finishedAt.toString());
            m.put("found", found);
            m.put("images", images);
            m.put("out_of_sample_accuracy", accuracy == null ? null : Math.round(accuracy * 10000) / 10000.0);
            m.put("error", error);
            return m;
        }
    }

    private static final State IDLE = new State("idle", 0, 0, 0, 0, null, null, null, null, null, null);

    private final MislabelService service;
    private final Clock clock;
    private final Map<UUID, State> states = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fovea-mislabelled-check");
        t.setDaemon(true);
        return t;
    });

    MislabelledChecks(MislabelService service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    State state(Project project) {
        return states.getOrDefault(project.id(), IDLE);
    }

    /** Starts a check of the project; refused while one is running or waiting for it. */
    synchronized State start(Project project, MislabelService.Options options) {
        State now = state(project);
        // (checked and set under this object's lock, so two clicks cannot both start one)
        if (now.state().equals("running") || now.state().equals("queued")) {
            throw FoveaException.conflict("a mislabelled check of project '" + project.name() + "' is already "
                    + now.state() + " (fold " + now.fold() + " of " + now.folds() + ")");
        }
        service.validate(project, options); // refuses now what the background run would refuse
        State queued = new State("queued", 0, options.folds(), 0, options.epochs(), clock.instant(), null, null, null,
                null, null);
        states.put(project.id(), queued);
        runner.submit(() -> run(project, options, queued.startedAt()));
        return queued;
    }

    private void run(Project project, MislabelService.Options options, Instant started) {
        int[] at = {0, 0}; // fold, epoch
        try {
            MislabelService.Report report = service.run(project, options, new MislabelService.Progress() {
                @Override
                public void foldStarted(int fold, int folds, int trainImages, int heldOutImages) {
                    at[0] = fold;
                    at[1] = 0;
                    update();
                }

                @Override
                public TrainingListener training() {
                    return new TrainingListener() {
                        @Override
                        public void onStart(TrainingPlan plan) {
                            update();
                        }

                        @Override
                        public void onEpoch(EpochMetrics epoch) {
                            at[1] = epoch.epoch();
                            update();
                        }
                    };
                }

                private void update() {
                    states.put(project.id(), new State("running", at[0], options.folds(), at[1], options.epochs(), started,
                            null, null, null, null, null));
                }
            });
            states.put(project.id(), new State("done", options.folds(), options.folds(), options.epochs(),
                    options.epochs(), started, clock.instant(), report.findings().size(), report.images(),
                    report.outOfSampleAccuracy(), null));
        } catch (RuntimeException | Error e) {
            LOG.warn("mislabelled check of project '{}' failed", project.name(), e);
            states.put(project.id(), new State("failed", at[0], options.folds(), at[1], options.epochs(), started,
                    clock.instant(), null, null, null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }
}

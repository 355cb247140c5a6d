package dev.fovea.core.training;

import java.util.Map;

/** The port to a deep learning library: trains models and loads them for prediction. */
public interface TrainingEngine {
    /** Checks a job before any work starts (architecture known, input size large enough); throws a FoveaException. */
    void validate(TrainingJob job);

    /** Trains, reporting to the listener; resumes from a matching checkpoint in the job's folder. */
    TrainedModel train(TrainingJob job, TrainingListener listener);

    /** Loads a trained model for prediction. */
    Predictor load(TrainedModel model);

    /**
     * The files of a checkpoint in a job's folder, which together let {@link #train} resume there on another
     * machine (none: this engine cannot resume elsewhere).
     */
    default java.util.List<String> checkpointFiles() {
        return java.util.List.of();
    }

    /** Library names and versions for a run's provenance, e.g. {@code djl=0.36.0, pytorch=2.7.1}. */
    Map<String, String> versions();
}

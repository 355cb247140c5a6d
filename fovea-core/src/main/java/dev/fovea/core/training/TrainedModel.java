package dev.fovea.core.training;

import java.util.List;

/**
 * A trained classifier as bytes plus what is needed to use it again: architecture and settings, class names and
 * preprocessing. {@code weights} is the engine's parameter file of the best epoch ({@code bestEpoch}); {@code
 * epochsRun} counts the epochs finished (fewer than asked when early stopping or a listener stopped training).
 */
public record TrainedModel(TrainSettings settings, List<String> classes, Preprocessing preprocessing,
        byte[] weights, int bestEpoch, int epochsRun, boolean stoppedEarly, long parameters) {}

package dev.fovea.core.run;

import dev.fovea.core.training.TrainedModel;

/**
 * Where training finds the registered model that {@code from: model:NAME@ALIAS} (or {@code model:NAME:VERSION})
 * names. The model registry implements it; it is passed to the training service, which the registry itself builds
 * on for runs, so neither constructs nor changes the other.
 */
public interface PretrainedSources {
    /** The model that {@code reference} ({@code NAME@ALIAS}, {@code NAME:VERSION} or {@code NAME}) names. */
    TrainedModel registered(String reference);

    /** For a training service without a registry (tests, tools): {@code model:} sources are refused. */
    PretrainedSources NONE = reference -> {
        throw dev.fovea.core.FoveaException.invalid("the model registry is not available here");
    };
}

package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainedModel;
import java.util.Map;
import java.util.function.Function;

/**
 * Where training finds the registered model that {@code from: model:NAME@ALIAS} (or {@code model:NAME:VERSION})
 * names, and the installed published weights that {@code from: weights:NAME} names. The model registry and the
 * weights service provide them; this port is passed to the training service, which the registry itself builds on
 * for runs, so neither constructs nor changes the other.
 */
public interface PretrainedSources {
    /** The model that {@code reference} ({@code NAME@ALIAS}, {@code NAME:VERSION} or {@code NAME}) names. */
    TrainedModel registered(String reference);

    /** The network of the published weights installed as {@code name}. */
    TrainedModel published(String name);

    /**
     * The settings a run from the published weights {@code name} takes unless it sets them: {@code arch},
     * {@code input_size}, {@code mean}, {@code std}. Cheap: the network is not read.
     */
    Map<String, String> publishedSettings(String name);

    static PretrainedSources of(Function<String, TrainedModel> registered, Function<String, TrainedModel> published,
            Function<String, Map<String, String>> publishedSettings) {
        return new PretrainedSources() {
            @Override
            public Map<String, String> publishedSettings(String name) {
                return publishedSettings.apply(name);
            }

            @Override
            public TrainedModel registered(String reference) {
                return registered.apply(reference);
            }

            @Override
            public TrainedModel published(String name) {
                return published.apply(name);
            }
        };
    }

    /** For a training service without a registry (tests, tools): {@code model:} and {@code weights:} are refused. */
    PretrainedSources NONE = of(reference -> {
        throw FoveaException.invalid("the model registry is not available here");
    }, name -> {
        throw FoveaException.invalid("published weights are not available here");
    }, name -> {
        throw FoveaException.invalid("published weights are not available here");
    });
}

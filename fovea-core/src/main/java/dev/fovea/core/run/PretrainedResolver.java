package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;

/**
 * The trained model a run starts from: {@code from: run:ID}, {@code model:REF} or {@code weights:NAME}; null for a
 * file or none.
 */
final class PretrainedResolver {
    private final RunModels runs;
    private final PretrainedSources registered;

    PretrainedResolver(RunModels runs, PretrainedSources registered) {
        this.runs = runs;
        this.registered = registered;
    }

    TrainedModel resolve(TrainSettings s) {
        return resolve(s.from());
    }

    TrainedModel resolve(String from) {
        if (from.startsWith("run:")) {
            long id;
            try {
                id = Long.parseLong(from.substring(4).trim());
            } catch (NumberFormatException e) {
                throw FoveaException.invalid("from '" + from + "': a run is named by its number, e.g. run:12");
            }
            try {
                runs.require(id);
            } catch (FoveaException e) {
                throw FoveaException.invalid("from '" + from + "': run " + id + " does not exist");
            }
            return wrapped(from, () -> runs.model(id));
        }
        if (from.startsWith("model:")) return wrapped(from, () -> registered.registered(from.substring(6).trim()));
        if (from.startsWith("weights:")) return wrapped(from, () -> registered.published(from.substring(8).trim()));
        return null;
    }

    private static TrainedModel wrapped(String from, java.util.function.Supplier<TrainedModel> source) {
        try {
            return source.get();
        } catch (FoveaException e) {
            throw FoveaException.invalid("from '" + from + "': " + e.getMessage());
        }
    }
}

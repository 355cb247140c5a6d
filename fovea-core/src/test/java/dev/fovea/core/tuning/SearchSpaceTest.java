package dev.fovea.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
    /** The example space, as the YAML parser gives it. */
    static Map<String, Object> example() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", Map.of("type", "float", "low", 1.0e-4, "high", 1.0e-1, "log", true));
        params.put("optimizer", Map.of("type", "choice", "values", List.of("sgd", "adamw")));
        params.put("momentum", Map.of("type", "float", "low", 0.5, "high", 0.99, "when", Map.of("optimizer", "sgd")));
        params.put("arch", Map.of("type", "choice", "values", List.of("small-cnn", "resnet18")));
        params.put("cnn_blocks", Map.of("type", "int", "low", 2, "high", 5, "when", Map.of("arch", "small-cnn")));
        params.put("epochs", Map.of("type", "fixed", "value", 20));
        return Map.of("objective", Map.of("metric", "val_accuracy", "direction", "maximize"), "params", params);
    }

    @Test
    void theExampleSpaceReadsAndItsConditionsHold() {
        SearchSpace space = SearchSpace.fromMap(example(), SearchSpace.TRAINING_SETTINGS);
        assertThat(space.objective()).isEqualTo(new Objective("val_accuracy", true));
        assertThat(space.params()).extracting(Param::name)
                .containsExactly("lr", "optimizer", "momentum", "arch", "cnn_blocks", "epochs");
        for (int n = 0; n < 30; n++) {
            Map<String, Object> p = new RandomSampler().suggest(space, TrialView.of(List.of()), 1, n);
            assertThat(p.containsKey("momentum")).isEqualTo(p.get("optimizer").equals("sgd"));
            assertThat(p.containsKey("cnn_blocks")).isEqualTo(p.get("arch").equals("small-cnn"));
            assertThat(p.get("epochs")).isEqualTo(20);
            assertThat((double) p.get("lr")).isBetween(1.0e-4, 1.0e-1);
            if (p.containsKey("cnn_blocks")) assertThat((int) p.get("cnn_blocks")).isBetween(2, 5);
            // Every trial is a valid training setting.
            dev.fovea.core.training.TrainSettings.parse(p);
        }
    }

    private static void refused(String messagePart, String param, Map<String, Object> spec) {
        Map<String, Object> doc = new LinkedHashMap<>(example());
        Map<String, Object> params = new LinkedHashMap<>((Map<String, Object>) doc.get("params"));
        params.put(param, spec);
        doc.put("params", params);
        assertThatThrownBy(() -> SearchSpace.fromMap(doc, SearchSpace.TRAINING_SETTINGS))
                .isInstanceOf(FoveaException.class).hasMessageContaining(messagePart).hasMessageContaining(param);
    }

    @Test
    void badSpacesAreRefusedNamingTheField() {
        refused("not one of int, float, choice, bool, fixed", "lr", Map.of("type", "real", "low", 0.1, "high", 1));
        refused("low 1 must be below high 1", "batch_size", Map.of("type", "int", "low", 1, "high", 1));
        refused("low 0.5 must be below high 0.1", "weight_decay", Map.of("type", "float", "low", 0.5, "high", 0.1));
        refused("a log range needs low above 0, not 0", "lr", Map.of("type", "float", "low", 0, "high", 1, "log", true));
        refused("'when' names 'loss'", "momentum", Map.of("type", "float", "low", 0.5, "high", 0.9, "when", Map.of("loss", "x")));
        refused("a value optimizer cannot take", "momentum",
                Map.of("type", "float", "low", 0.5, "high", 0.9, "when", Map.of("optimizer", "lion")));
        refused("is not a training setting", "dropout", Map.of("type", "float", "low", 0.1, "high", 0.5));
        refused("which fovea train refuses", "cnn_channels", Map.of("type", "int", "low", 8, "high", 64));
        refused("which fovea train refuses", "optimizer", Map.of("type", "choice", "values", List.of("sgd", "lion")));
        refused("must be a number", "lr", Map.of("type", "float", "low", "small", "high", 1));
        refused("non-empty list", "arch", Map.of("type", "choice", "values", List.of()));
        refused("unknown field 'hgih'", "lr", Map.of("type", "float", "low", 0.1, "hgih", 1));
        assertThatThrownBy(() -> SearchSpace.fromMap(Map.of("params", Map.of()), (k, v) -> {}))
                .hasMessageContaining("objective");
        assertThatThrownBy(() -> SearchSpace.fromMap(Map.of("objective", Map.of("metric", "val_loss", "direction", "down"),
                "params", Map.of("x", Map.of("type", "bool"))), (k, v) -> {})).hasMessageContaining("'down'");
        assertThatThrownBy(() -> SearchSpace.fromMap(Map.of("objective", Map.of("metric", "v", "direction", "minimize"),
                "params", List.of("lr")), (k, v) -> {})).hasMessageContaining("'params' must be a map");
    }
}

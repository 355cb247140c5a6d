package dev.fovea.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainSettingsTest {

    @Test
    void parseAppliesValuesOnTopOfTheDefaults() {
        TrainSettings s = TrainSettings.parse(Map.of("lr", "0.01", "epochs", 12, "schedule", "step"));
        assertThat(s.lr()).isEqualTo(0.01);
        assertThat(s.epochs()).isEqualTo(12);
        assertThat(s.schedule()).isEqualTo("step");
        assertThat(s.batchSize()).isEqualTo(TrainSettings.DEFAULTS.batchSize());
        assertThat(TrainSettings.parse(Map.of())).isEqualTo(TrainSettings.DEFAULTS);
    }

    @Test
    void unknownKeyIsAnErrorNamingIt() {
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("learning_rate", 0.1)))
                .isInstanceOf(FoveaException.class).hasMessageContaining("'learning_rate'")
                .hasMessageContaining("known settings").satisfies(e ->
                        assertThat(((FoveaException) e).code()).isEqualTo("invalid"));
    }

    @Test
    void unreadableValuesAreErrorsNamingKeyAndValue() {
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("lr", "fast")))
                .isInstanceOf(FoveaException.class).hasMessageContaining("lr").hasMessageContaining("'fast'")
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("epochs", "2.5")))
                .isInstanceOf(FoveaException.class).hasMessageContaining("epochs").hasMessageContaining("whole number");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("nesterov", "maybe")))
                .isInstanceOf(FoveaException.class).hasMessageContaining("nesterov").hasMessageContaining("'maybe'");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("lr", "NaN")))
                .isInstanceOf(FoveaException.class).hasMessageContaining("lr");
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("seed", null);
        assertThatThrownBy(() -> TrainSettings.parse(nullValue))
                .isInstanceOf(FoveaException.class).hasMessageContaining("seed").hasMessageContaining("no value");
    }

    @Test
    void outOfRangeAndUnknownChoicesAreErrors() {
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("lr", 0)))
                .isInstanceOf(FoveaException.class).hasMessageContaining("lr 0 is outside");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("schedule", "linear")))
                .isInstanceOf(FoveaException.class).hasMessageContaining("'linear'").hasMessageContaining("cosine");
        // warm-up longer than training
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("epochs", 2, "warmup_epochs", 3)))
                .isInstanceOf(FoveaException.class).hasMessageContaining("warmup_epochs");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("cnn_channels", 8)))
                .isInstanceOf(FoveaException.class).hasMessageContaining("cnn_channels 8 is below 16")
                .hasMessageContaining("wrong gradients");
        assertThat(TrainSettings.parse(Map.of("cnn_channels", 16)).cnnChannels()).isEqualTo(16);
    }

    @Test
    void cnnConvsDefaultsToTwoSoThatRunsRecordedBeforeItKeepTheirNetwork() {
        Map<String, String> old = new java.util.LinkedHashMap<>(TrainSettings.DEFAULTS.toMap());
        old.remove("cnn_convs"); // what a run or bundle recorded before the setting existed
        assertThat(TrainSettings.parse(old).cnnConvs()).isEqualTo(2);
        assertThat(TrainSettings.parse(Map.of("cnn_convs", 1)).cnnConvs()).isEqualTo(1);
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("cnn_convs", 0))).isInstanceOf(FoveaException.class)
                .hasMessageContaining("cnn_convs");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("cnn_convs", 5))).isInstanceOf(FoveaException.class)
                .hasMessageContaining("cnn_convs");
    }

    @Test
    void checkpointSecondsIsAMachineKeyFromZeroToADay() {
        Map<String, String> old = new java.util.LinkedHashMap<>(TrainSettings.DEFAULTS.toMap());
        old.remove("checkpoint_seconds"); // a run recorded before the setting existed
        assertThat(TrainSettings.parse(old).checkpointSeconds()).isEqualTo(30);
        assertThat(TrainSettings.parse(Map.of("checkpoint_seconds", 0)).checkpointSeconds()).isZero();
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("checkpoint_seconds", -1))).isInstanceOf(FoveaException.class)
                .hasMessageContaining("checkpoint_seconds -1 is outside 0..86400");
        assertThatThrownBy(() -> TrainSettings.parse(Map.of("checkpoint_seconds", "soon"))).isInstanceOf(FoveaException.class)
                .hasMessageContaining("checkpoint_seconds 'soon' is not a whole number");
        // How a run uses the machine, not what it learns: a resume may change these.
        assertThat(TrainSettings.MACHINE_KEYS).containsExactlyInAnyOrder("threads", "loader_threads", "checkpoint_seconds");
        assertThat(TrainSettings.KEYS).containsAll(TrainSettings.MACHINE_KEYS);
    }

    @Test
    void wholeNumbersMayBeWrittenAsDecimals() {
        assertThat(TrainSettings.parse(Map.of("epochs", "10.0")).epochs()).isEqualTo(10);
        assertThat(TrainSettings.parse(Map.of("seed", "12345678901234")).seed()).isEqualTo(12345678901234L);
    }

    @Test
    void toMapAndParseRoundTrip() {
        TrainSettings s = TrainSettings.parse(Map.of("arch", "resnet18", "lr", 0.1 + 0.2, "warmup_epochs", 0.5,
                "nesterov", false, "seed", -7, "optimizer", "sgd", "class_weights", "balanced", "freeze_epochs", 3,
                "finetune_lr_factor", 1e-3, "step_gamma", 0.3));
        Map<String, String> map = s.toMap();
        assertThat(map.keySet()).containsExactlyElementsOf(TrainSettings.KEYS);
        assertThat(map.get("lr")).isEqualTo("0.30000000000000004");
        assertThat(map.get("epochs")).isEqualTo("30");
        assertThat(TrainSettings.DEFAULTS.toMap().get("warmup_epochs")).isEqualTo("1");
        assertThat(TrainSettings.parse(map)).isEqualTo(s);
        assertThat(TrainSettings.parse(TrainSettings.DEFAULTS.toMap())).isEqualTo(TrainSettings.DEFAULTS);
    }

    @Test
    void withOverridesSomeKeysAndLeavesTheOriginalAlone() {
        TrainSettings base = TrainSettings.DEFAULTS;
        TrainSettings changed = base.with(Map.of("batch_size", 8, "augment", "strong"));
        assertThat(changed.batchSize()).isEqualTo(8);
        assertThat(changed.augment()).isEqualTo("strong");
        assertThat(changed.lr()).isEqualTo(base.lr());
        assertThat(base.batchSize()).isEqualTo(32);
        assertThat(changed.with(Map.of("batch_size", 32, "augment", "light"))).isEqualTo(base);
    }

    @Test
    void differencesListsChangedKeysInKeyOrder() {
        TrainSettings other = TrainSettings.DEFAULTS.with(Map.of("seed", 1, "lr", 0.5, "augment", "none"));
        assertThat(TrainSettings.DEFAULTS.differences(other)).containsExactly("lr", "augment", "seed");
        assertThat(other.differences(TrainSettings.DEFAULTS)).containsExactly("lr", "augment", "seed");
        assertThat(other.differences(other)).isEmpty();
    }

    @Test
    void dashesAndCaseInKeysAreAccepted() {
        TrainSettings s = TrainSettings.parse(Map.of("batch-size", 16, " Weight-Decay ", "0.01",
                "early-stopping-patience", 3));
        assertThat(s.batchSize()).isEqualTo(16);
        assertThat(s.weightDecay()).isEqualTo(0.01);
        assertThat(s.earlyStoppingPatience()).isEqualTo(3);
    }
}

package dev.fovea.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fovea.core.FoveaException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    private static final double EPS = 1e-12;

    private static TrainSettings settings(Map<String, ?> values) {
        return TrainSettings.parse(values);
    }

    @Test
    void warmUpRisesLinearlyFromTheFirstStepToTheBase() {
        // lr 0.1, 1 warm-up epoch of 4 steps: 0.1 * (step + 1) / 4.
        TrainSettings s = settings(Map.of("lr", 0.1, "warmup_epochs", 1, "schedule", "constant"));
        assertThat(LrSchedule.at(s, 0, 4)).isCloseTo(0.025, within(EPS));
        assertThat(LrSchedule.at(s, 1, 4)).isCloseTo(0.05, within(EPS));
        assertThat(LrSchedule.at(s, 2, 4)).isCloseTo(0.075, within(EPS));
        assertThat(LrSchedule.at(s, 3, 4)).isCloseTo(0.1, within(EPS));
        assertThat(LrSchedule.at(s, 4, 4)).isCloseTo(0.1, within(EPS));
    }

    @Test
    void fractionalWarmUpRoundsToWholeSteps() {
        // round(0.5 * 5) = round(2.5) = 3 warm-up steps: 1/3, 2/3, then the base.
        TrainSettings s = settings(Map.of("lr", 0.3, "warmup_epochs", 0.5, "schedule", "constant"));
        assertThat(LrSchedule.at(s, 0, 5)).isCloseTo(0.1, within(EPS));
        assertThat(LrSchedule.at(s, 1, 5)).isCloseTo(0.2, within(EPS));
        assertThat(LrSchedule.at(s, 2, 5)).isCloseTo(0.3, within(EPS));
        assertThat(LrSchedule.at(s, 3, 5)).isCloseTo(0.3, within(EPS));
    }

    @Test
    void cosineStartsAtTheBaseIsHalfMidwayAndEndsNearZero() {
        // 10 epochs x 10 steps, no warm-up: T = 100.
        TrainSettings s = settings(Map.of("lr", 1, "epochs", 10, "warmup_epochs", 0, "schedule", "cosine"));
        assertThat(LrSchedule.at(s, 0, 10)).isCloseTo(1.0, within(EPS));
        assertThat(LrSchedule.at(s, 25, 10)).isCloseTo(0.5 * (1 + Math.sqrt(0.5)), within(EPS));
        assertThat(LrSchedule.at(s, 50, 10)).isCloseTo(0.5, within(EPS));
        // last step: 0.5 * (1 + cos(0.99 pi)) = 2.4672e-4
        assertThat(LrSchedule.at(s, 99, 10)).isCloseTo(2.467198171342e-4, within(1e-12)).isPositive();
        // past the planned end the rate stays at 0 instead of climbing back
        assertThat(LrSchedule.at(s, 100, 10)).isCloseTo(0.0, within(EPS));
        assertThat(LrSchedule.at(s, 150, 10)).isCloseTo(0.0, within(EPS));
    }

    @Test
    void cosineCountsFromTheEndOfWarmUp() {
        // 10 warm-up steps, T = 100 - 10 = 90: base right after warm-up, half at step 10 + 45.
        TrainSettings s = settings(Map.of("lr", 2, "epochs", 10, "warmup_epochs", 1, "schedule", "cosine"));
        assertThat(LrSchedule.at(s, 9, 10)).isCloseTo(2.0, within(EPS));
        assertThat(LrSchedule.at(s, 10, 10)).isCloseTo(2.0, within(EPS));
        assertThat(LrSchedule.at(s, 55, 10)).isCloseTo(1.0, within(EPS));
        assertThat(LrSchedule.at(s, 99, 10)).isLessThan(0.002).isPositive();
    }

    @Test
    void stepDecayDefaultsToAThirdOfTheEpochs() {
        // 30 epochs, step_every 0 -> every 10 epochs; 5 steps per epoch -> boundaries at steps 50 and 100.
        TrainSettings s = settings(Map.of("lr", 1, "epochs", 30, "warmup_epochs", 0, "schedule", "step",
                "step_every", 0, "step_gamma", 0.1));
        assertThat(LrSchedule.at(s, 0, 5)).isCloseTo(1.0, within(EPS));
        assertThat(LrSchedule.at(s, 49, 5)).isCloseTo(1.0, within(EPS));
        assertThat(LrSchedule.at(s, 50, 5)).isCloseTo(0.1, within(EPS));
        assertThat(LrSchedule.at(s, 99, 5)).isCloseTo(0.1, within(EPS));
        assertThat(LrSchedule.at(s, 100, 5)).isCloseTo(0.01, within(EPS));
        assertThat(LrSchedule.at(s, 149, 5)).isCloseTo(0.01, within(EPS));
    }

    @Test
    void stepDecayHonoursStepEvery() {
        // every 4 epochs x 0.5; 5 steps per epoch: epoch 3 (steps 15..19) full, epoch 4 half, epoch 8 a quarter.
        TrainSettings s = settings(Map.of("lr", 0.8, "epochs", 20, "warmup_epochs", 0, "schedule", "step",
                "step_every", 4, "step_gamma", 0.5));
        assertThat(LrSchedule.at(s, 19, 5)).isCloseTo(0.8, within(EPS));
        assertThat(LrSchedule.at(s, 20, 5)).isCloseTo(0.4, within(EPS));
        assertThat(LrSchedule.at(s, 39, 5)).isCloseTo(0.4, within(EPS));
        assertThat(LrSchedule.at(s, 40, 5)).isCloseTo(0.2, within(EPS));
    }

    @Test
    void stepDecayWithFewEpochsDecaysEveryEpoch() {
        // epochs 2: max(1, 2 / 3) = 1
        TrainSettings s = settings(Map.of("lr", 1, "epochs", 2, "warmup_epochs", 0, "schedule", "step",
                "step_gamma", 0.5));
        assertThat(LrSchedule.at(s, 2, 3)).isCloseTo(1.0, within(EPS));
        assertThat(LrSchedule.at(s, 3, 3)).isCloseTo(0.5, within(EPS));
    }

    @Test
    void constantStaysAtTheBase() {
        TrainSettings s = settings(Map.of("lr", 0.004, "warmup_epochs", 0, "schedule", "constant"));
        for (long step : new long[] {0, 1, 7, 1_000, 10_000_000_000L}) {
            assertThat(LrSchedule.at(s, step, 7)).isEqualTo(0.004);
        }
    }

    @Test
    void unfrozenBackboneGetsTheFineTuneFactor() {
        // freeze 5 epochs of 3 steps: step 14 is epoch 4 (frozen), step 15 epoch 5 (fine-tuning).
        TrainSettings s = settings(Map.of("lr", 0.01, "epochs", 10, "warmup_epochs", 0, "schedule", "constant",
                "freeze_epochs", 5, "finetune_lr_factor", 0.1));
        assertThat(LrSchedule.at(s, 14, 3)).isCloseTo(0.01, within(EPS));
        assertThat(LrSchedule.at(s, 15, 3)).isCloseTo(0.001, within(EPS));
        assertThat(LrSchedule.at(s, 29, 3)).isCloseTo(0.001, within(EPS));

        // with cosine the factor multiplies the scheduled value: step 15 of T = 30 -> 0.01 * 0.5 * 0.1
        TrainSettings cos = s.with(Map.of("schedule", "cosine"));
        assertThat(LrSchedule.at(cos, 15, 3)).isCloseTo(0.0005, within(EPS));
        assertThat(LrSchedule.at(cos.with(Map.of("freeze_epochs", 0)), 15, 3)).isCloseTo(0.005, within(EPS));
    }

    @Test
    void rejectsBadStepsPerEpochAndNegativeSteps() {
        TrainSettings s = TrainSettings.DEFAULTS;
        assertThatThrownBy(() -> LrSchedule.at(s, 0, 0)).isInstanceOf(FoveaException.class)
                .hasMessageContaining("steps per epoch").hasMessageContaining("0");
        assertThatThrownBy(() -> LrSchedule.at(s, -1, 10)).isInstanceOf(FoveaException.class)
                .hasMessageContaining("-1");
    }
}

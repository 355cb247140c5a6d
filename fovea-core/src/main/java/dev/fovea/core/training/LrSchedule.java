package dev.fovea.core.training;

import dev.fovea.core.FoveaException;

/**
 * The learning rate of every optimizer step, as a pure function of the {@link TrainSettings} and the step index,
 * so that an engine, a run's chart and a test all agree on it.
 *
 * <p>With {@code base = lr}, {@code warmupSteps = round(warmup_epochs * stepsPerEpoch)} and
 * {@code epochIndex = step / stepsPerEpoch} (integer division):
 * <ul>
 *   <li><b>warm-up</b> ({@code step < warmupSteps}): the rate rises linearly,
 *       {@code base * (step + 1) / warmupSteps}, so the first step already moves and the last warm-up step
 *       reaches {@code base};</li>
 *   <li><b>constant</b>: {@code base};</li>
 *   <li><b>cosine</b>: {@code base * 0.5 * (1 + cos(pi * t / T))} with {@code t = step - warmupSteps} and
 *       {@code T = max(1, epochs * stepsPerEpoch - warmupSteps)}: {@code base} right after warm-up, half of it
 *       midway, close to 0 at the last planned step. Steps past the planned end stay at 0 ({@code t} is capped
 *       at {@code T}) rather than climbing back up;</li>
 *   <li><b>step</b>: {@code base * step_gamma^floor(epochIndex / every)} with {@code every = step_every}, or
 *       {@code max(1, epochs / 3)} (integer division) when {@code step_every} is 0. The decay counts whole
 *       epochs from the start of training, warm-up included.</li>
 * </ul>
 * Transfer learning: when {@code freeze_epochs > 0} and {@code epochIndex >= freeze_epochs} the backbone has been
 * unfrozen and the result (whatever the phase above) is multiplied by {@code finetune_lr_factor}.
 */
public final class LrSchedule {
    private LrSchedule() {}

    /**
     * The learning rate of optimizer step {@code step} (0-based) when an epoch has {@code stepsPerEpoch} steps.
     *
     * @throws FoveaException {@code invalid} when {@code stepsPerEpoch < 1} or {@code step < 0}
     */
    public static double at(TrainSettings s, long step, int stepsPerEpoch) {
        if (stepsPerEpoch < 1) {
            throw FoveaException.invalid("steps per epoch must be at least 1, not " + stepsPerEpoch);
        }
        if (step < 0) throw FoveaException.invalid("optimizer step must not be negative, not " + step);
        double base = s.lr();
        long epochIndex = step / stepsPerEpoch;
        long warmupSteps = Math.round(s.warmupEpochs() * stepsPerEpoch);
        double lr;
        if (step < warmupSteps) {
            lr = base * (step + 1) / warmupSteps;
        } else {
            lr = switch (s.schedule()) {
                case "constant" -> base;
                case "cosine" -> {
                    long total = (long) s.epochs() * stepsPerEpoch;
                    long bigT = Math.max(1, total - warmupSteps);
                    long t = Math.min(step - warmupSteps, bigT);
                    yield base * 0.5 * (1 + Math.cos(Math.PI * t / bigT));
                }
                case "step" -> {
                    int every = s.stepEvery() > 0 ? s.stepEvery() : Math.max(1, s.epochs() / 3);
                    yield base * Math.pow(s.stepGamma(), epochIndex / every);
                }
                default -> throw FoveaException.invalid("unknown learning-rate schedule '" + s.schedule() + "'");
            };
        }
        if (s.freezeEpochs() > 0 && epochIndex >= s.freezeEpochs()) lr *= s.finetuneLrFactor();
        return lr;
    }
}

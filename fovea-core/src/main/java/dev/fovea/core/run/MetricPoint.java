package dev.fovea.core.run;

import java.time.Instant;

/**
 * One value of one metric: per step ({@code train_loss}, {@code lr}, {@code images_per_second}; {@code step} is
 * the global optimizer step) or per epoch ({@code epoch_train_loss}, {@code val_loss}, {@code val_accuracy};
 * {@code step} is the step at the epoch's end). A value logged again for the same key and step (a resumed run
 * repeating steps after a kill) replaces the earlier one.
 */
public record MetricPoint(String key, long step, int epoch, double value, Instant at) {}

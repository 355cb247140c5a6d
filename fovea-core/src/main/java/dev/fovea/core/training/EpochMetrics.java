package dev.fovea.core.training;

/** What one finished epoch reports: mean training loss, validation loss and accuracy, wall seconds. */
public record EpochMetrics(int epoch, long step, double trainLoss, double valLoss, double valAccuracy, double seconds) {}

package dev.fovea.core.training;

/**
 * What one optimizer step reports: its global number (from 1), epoch (from 1), batch within the epoch (from 1)
 * and batches per epoch, the batch's mean training loss, the learning rate used, the training throughput
 * measured over the step (data wait included), and where the step's time went in milliseconds: waiting for the
 * input pipeline, forward pass with loss, backward pass, optimizer update.
 */
public record StepMetrics(long step, int epoch, int batch, int batches, double trainLoss, double lr,
        double imagesPerSecond, double dataMs, double forwardMs, double backwardMs, double optimizerMs) {}

package dev.fovea.core.training;

/**
 * What the engine is about to do: the first epoch it will run (above 1 after a resume), the epochs in all,
 * batches per epoch, training and validation images, and the model's parameter count.
 */
public record TrainingPlan(int firstEpoch, int epochs, int batchesPerEpoch, int trainImages, int validationImages,
        long parameters) {}

package dev.fovea.core.training;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything an engine needs for one training: resolved settings, class names (index = label), the training
 * and validation examples, where images come from, and a private folder for checkpoints. When that folder
 * already holds a checkpoint written with the same settings and classes, the engine resumes from it after its
 * last finished epoch; one written with different settings or classes is an error. {@code pretrained} is the
 * trained model that settings' {@code from: run:ID} or {@code from: model:NAME@ALIAS} names, resolved by the
 * caller (null otherwise: no source, or a backbone file the engine reads itself).
 */
public record TrainingJob(TrainSettings settings, List<String> classes, List<Example> train,
        List<Example> validation, ImageSource images, Path checkpointDir, TrainedModel pretrained) {
    public TrainingJob {
        classes = List.copyOf(classes);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    public TrainingJob(TrainSettings settings, List<String> classes, List<Example> train, List<Example> validation,
            ImageSource images, Path checkpointDir) {
        this(settings, classes, train, validation, images, checkpointDir, null);
    }
}

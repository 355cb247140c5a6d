package dev.fovea.core.training;

/** One labelled image for training or evaluation: its SHA-256 (how the engine loads it) and its class index. */
public record Example(String sha256, int label) {}

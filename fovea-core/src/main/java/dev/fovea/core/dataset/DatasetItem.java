package dev.fovea.core.dataset;

/** One image of a dataset version: its SHA-256, its label at freeze time, and its split. */
public record DatasetItem(String sha256, String label, Split split) {}

package dev.fovea.core.image;

import java.time.Instant;

/** One path an image was imported from, relative to the imported folder or zip, with the label that path gave. */
public record ImageSource(String path, String label, Instant importedAt) {}

package dev.fovea.core.training;

import java.awt.image.BufferedImage;

/** Decoded images by SHA-256, for the engine's input pipeline (called from several threads at once). */
@FunctionalInterface
public interface ImageSource {
    BufferedImage load(String sha256);
}

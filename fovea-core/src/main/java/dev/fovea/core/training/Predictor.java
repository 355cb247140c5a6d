package dev.fovea.core.training;

import java.awt.image.BufferedImage;
import java.util.List;

/** A loaded model that turns images into class probabilities. Safe to call from one thread at a time. */
public interface Predictor extends AutoCloseable {
    List<String> classes();

    Preprocessing preprocessing();

    /** One row of probabilities (summing to 1, in class order) per image. */
    float[][] probabilities(List<BufferedImage> images);

    @Override
    void close();
}

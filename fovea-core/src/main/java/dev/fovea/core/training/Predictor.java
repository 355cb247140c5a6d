package dev.fovea.core.training;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A loaded model that turns images into class probabilities. Implementations are safe to call from one thread at
 * a time (the serving layer batches requests onto one caller).
 */
public interface Predictor extends AutoCloseable {
    List<String> classes();

    Preprocessing preprocessing();

    /** One row of probabilities (summing to 1, in class order) per image, preprocessed by {@link #preprocessing()}. */
    default float[][] probabilities(List<BufferedImage> images) {
        Preprocessing pre = preprocessing();
        int plane = 3 * pre.inputSize() * pre.inputSize();
        float[] input = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) pre.toChw(pre.resize(images.get(i)), input, i * plane);
        return probabilities(input, images.size());
    }

    /**
     * One row of probabilities per example of an already preprocessed batch: {@code n} x 3 x inputSize x inputSize
     * floats, channels first.
     */
    float[][] probabilities(float[] input, int n);

    /**
     * The network's features of an already preprocessed batch (as {@link #probabilities(float[], int)}): one row per
     * example, what its last (classifying) layer takes. A model that cannot give them says so in a FoveaException.
     */
    default float[][] embeddings(float[] input, int n) {
        throw dev.fovea.core.FoveaException.invalid("this model (" + description().getOrDefault("format", "imported")
                + ") gives class probabilities only, not embeddings; use a Fovea run or a model registered from one");
    }

    /** The embeddings of images, preprocessed by {@link #preprocessing()}. */
    default float[][] embeddings(List<BufferedImage> images) {
        Preprocessing pre = preprocessing();
        int plane = 3 * pre.inputSize() * pre.inputSize();
        float[] input = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) pre.toChw(pre.resize(images.get(i)), input, i * plane);
        return embeddings(input, images.size());
    }

    /** What a caller may want to know of how the model is called (a SavedModel's signature, input, output). */
    default java.util.Map<String, String> description() {
        return java.util.Map.of();
    }

    @Override
    void close();
}

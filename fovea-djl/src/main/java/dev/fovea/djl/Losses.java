package dev.fovea.djl;

import ai.djl.ndarray.NDArray;

/** Loss functions on logits. */
final class Losses {
    private Losses() {}

    /**
     * Cross-entropy with label smoothing (the target puts 1 - s + s/K on the true class and s/K elsewhere) and
     * optional per-class weights, averaged as PyTorch does with weights: sum(w_y * loss) / sum(w_y).
     */
    static NDArray crossEntropy(NDArray logits, NDArray labels, int classes, float smoothing, NDArray classWeights) {
        NDArray logp = logits.logSoftmax(1);
        NDArray target = labels.oneHot(classes);
        if (smoothing > 0) target = target.mul(1 - smoothing).add(smoothing / classes);
        NDArray perExample = target.mul(logp).sum(new int[] {1}).neg();
        if (classWeights == null) return perExample.mean();
        NDArray w = classWeights.get(labels);
        return perExample.mul(w).sum().div(w.sum());
    }
}

package dev.fovea.core.weights;

import java.util.List;
import java.util.Optional;

/** Installed published weights by name. */
public interface WeightsStore {
    /** Stores new weights; conflict when the name is taken. */
    void create(PublishedWeights weights);

    Optional<PublishedWeights> find(String name);

    /** Every installed set, by name. */
    List<PublishedWeights> list();

    /** Removes the name; false when it was not there. The blob stays (content-addressed, maybe shared). */
    boolean remove(String name);
}

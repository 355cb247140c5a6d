package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Preprocessing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Where a run's model came from: the project and dataset version it was trained on, the split sizes, how images
 * were preprocessed, the seed, and the machine and build it ran on. Written once when a run is created, and read
 * back (also into model bundles) from the flat map a run stores, whose keys are written and read only here.
 *
 * @param machine what the process knows about itself and its engine (fovea, java, os, host, processors, djl,
 *     pytorch, ...), recorded as given
 */
public record Provenance(String project, UUID projectId, int datasetVersion, String datasetHash, List<String> classes,
        int trainImages, int validationImages, int testImages, Preprocessing preprocessing, long seed,
        Map<String, String> machine) {

    private static final List<String> OWN_KEYS = List.of("project", "project_id", "dataset_version", "dataset_hash",
            "classes", "train_images", "validation_images", "test_images", "seed");

    public Provenance {
        classes = List.copyOf(classes);
        machine = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(machine));
    }

    /** As a run stores it, in this order: the run's own keys, the preprocessing, the seed, then the machine's. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("project", project);
        m.put("project_id", projectId.toString());
        m.put("dataset_version", Integer.toString(datasetVersion));
        m.put("dataset_hash", datasetHash);
        m.put("classes", String.join(",", classes));
        m.put("train_images", Integer.toString(trainImages));
        m.put("validation_images", Integer.toString(validationImages));
        m.put("test_images", Integer.toString(testImages));
        m.putAll(preprocessing.toMap());
        m.put("seed", Long.toString(seed));
        machine.forEach(m::putIfAbsent);
        return m;
    }

    /** Reads what {@link #toMap} wrote for run {@code runId}; a missing or unreadable value names the key. */
    public static Provenance fromMap(Map<String, String> m, long runId) {
        String what = "the provenance of run " + runId;
        Map<String, String> machine = new LinkedHashMap<>(m);
        OWN_KEYS.forEach(machine::remove);
        Preprocessing.defaultKeys().forEach(machine::remove);
        try {
            return new Provenance(required(m, "project", what), UUID.fromString(required(m, "project_id", what)),
                    Integer.parseInt(required(m, "dataset_version", what)), required(m, "dataset_hash", what),
                    List.of(required(m, "classes", what).split(",")), Integer.parseInt(m.getOrDefault("train_images", "0")),
                    Integer.parseInt(m.getOrDefault("validation_images", "0")),
                    Integer.parseInt(m.getOrDefault("test_images", "0")), Preprocessing.fromMap(m, what),
                    Long.parseLong(m.getOrDefault("seed", "0")), machine);
        } catch (IllegalArgumentException e) {
            throw FoveaException.invalid(what + " is unreadable: " + e.getMessage());
        }
    }

    private static String required(Map<String, String> m, String key, String what) {
        String v = m.get(key);
        if (v == null) throw FoveaException.invalid(what + " has no '" + key + "'");
        return v;
    }
}

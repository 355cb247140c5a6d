package dev.fovea.core.tuning;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What creating a study needs; the store assigns the id and starts it {@link Study.State#RUNNING}. */
public record NewStudy(String name, String objective, UUID projectId, Integer datasetVersion, String spaceText,
        String sampler, String pruner, long seed, Study.Budget budget, int parallel, Map<String, String> options,
        Instant createdAt) {}

package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.weights.PublishedWeights;
import dev.fovea.core.weights.WeightsStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link WeightsStore} must do: one row per name, read back as written, removed by name. */
public abstract class WeightsStoreContract {
    protected abstract WeightsStore weights();

    private static PublishedWeights weights(String name, List<String> skipped) {
        return new PublishedWeights(name, "resnet18", 100, skipped, skipped.isEmpty() ? 1000 : 0,
                skipped.isEmpty() ? 1000 : 1, new Preprocessing(224, new float[] {0.5f, 0.25f, 0.125f},
                        new float[] {0.2f, 0.3f, 0.4f}), "a".repeat(64), 46_000_000L, "https://example.org/r18-abcdef12.pth",
                "b".repeat(64), 46_100_000L, "torch-zip", Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void weightsAreStoredReadBackListedByNameAndRemoved() {
        String a = ProjectStoreContract.uniqueName("wa"), b = ProjectStoreContract.uniqueName("wb");
        PublishedWeights first = weights(b, List.of("fc.weight: shape [1000, 512], resnet18 needs [1, 512]", "fc.bias: missing"));
        weights().create(first);
        weights().create(weights(a, List.of()));
        PublishedWeights read = weights().find(b).orElseThrow();
        assertThat(read).isEqualTo(first);
        assertThat(read.preprocessing().mean()).containsExactly(0.5f, 0.25f, 0.125f);
        assertThat(weights().find(a).orElseThrow().skipped()).isEmpty();
        List<String> names = weights().list().stream().map(PublishedWeights::name).filter(n -> n.equals(a) || n.equals(b)).toList();
        assertThat(names).containsExactly(a, b);
        assertThat(weights().remove(b)).isTrue();
        assertThat(weights().remove(b)).isFalse();
        assertThat(weights().find(b)).isEmpty();
        assertThat(weights().find(a)).isPresent();
    }

    @Test
    void aTakenNameIsAConflict() {
        String name = ProjectStoreContract.uniqueName("wc");
        weights().create(weights(name, List.of()));
        assertThatThrownBy(() -> weights().create(weights(name, List.of())))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("conflict"))
                .hasMessageContaining(name);
    }
}

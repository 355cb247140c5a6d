package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.core.tuning.RandomSampler;
import dev.fovea.core.tuning.Sampler;
import dev.fovea.core.tuning.SearchSpace;
import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.TpeSampler;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sampler quality on the synthetic suite: for each function, sampler and seed, one in-process study of
 * {@code --trials} trials (one epoch each, no pruning), and the best value found after each checkpoint. One JSON
 * line per study, the same shape as {@code bench/python/tune_peer.py} prints for Optuna, so bench/tune.sh can put
 * them side by side.
 */
public final class SamplerBenchmark {
    @Command(name = "SamplerBenchmark", mixinStandardHelpOptions = true)
    static final class Options {
        @Option(names = "--functions", split = ",", defaultValue = "branin,hartmann6,conditional") List<String> functions;
        @Option(names = "--samplers", split = ",", defaultValue = "tpe,random") List<String> samplers;
        @Option(names = "--seeds", defaultValue = "20") int seeds;
        @Option(names = "--at", split = ",", defaultValue = "50,200", description = "Trial counts to report the best at")
        List<Integer> at;
    }

    public static void main(String[] args) {
        Options o = BenchOptions.parse(new Options(), args);
        int trials = o.at.stream().mapToInt(Integer::intValue).max().orElse(0);
        for (String name : o.functions) {
            SyntheticObjective f = SyntheticObjective.named(name);
            for (String samplerName : o.samplers) {
                Sampler sampler = switch (samplerName) {
                    case "tpe" -> TpeSampler.defaults();
                    case "tpe-independent" -> new TpeSampler(10, false, true);
                    case "random" -> new RandomSampler();
                    default -> {
                        BenchOptions.fail(o, "--samplers: '" + samplerName + "' is not one of tpe, tpe-independent, random");
                        yield null;
                    }
                };
                for (int seed = 0; seed < o.seeds; seed++) {
                    long start = System.nanoTime();
                    List<Double> bestSoFar = study(f, f.space(), sampler, seed, trials);
                    Map<String, Object> bestAt = new LinkedHashMap<>();
                    for (int n : o.at) bestAt.put(Integer.toString(n), bestSoFar.get(n - 1));
                    System.out.println(JsonObject.of("side", "fovea", "function", name, "sampler", samplerName,
                            "seed", seed, "best_at", bestAt, "seconds", (System.nanoTime() - start) / 1e9));
                }
            }
        }
    }

    /** The best value after each trial of one study. */
    static List<Double> study(SyntheticObjective f, SearchSpace space, Sampler sampler, long seed, int trials) {
        List<Trial> done = new ArrayList<>();
        TrialView view = TrialView.of(done);
        List<Double> best = new ArrayList<>();
        double b = Double.POSITIVE_INFINITY;
        for (int n = 0; n < trials; n++) {
            Map<String, Object> params = sampler.suggest(space, view, seed, n);
            double v = f.value(params);
            done.add(new Trial(n, Trial.State.COMPLETE, params, v, List.of(v)));
            b = Math.min(b, v);
            best.add(b);
        }
        return best;
    }

    private SamplerBenchmark() {}

}

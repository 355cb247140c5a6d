package dev.fovea.bench;

import dev.fovea.bench.ServingBenchmark.ModelSpec;
import dev.fovea.bench.support.BenchOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@link ServingBenchmark}'s command line; the tokens come from the environment. */
@Command(name = "ServingBenchmark", mixinStandardHelpOptions = true,
        description = "Latency and throughput of fovea serve against the bare model call (bench/serve.sh).")
final class ServingOptions {
    @Option(names = "--launcher", description = "the fovea launcher that starts the servers")
    Path launcher;

    @Option(names = "--workspace", description = "the prepared workspace")
    Path workspace;

    @Option(names = "--model", required = true, paramLabel = "NAME,emoji|fashion,BUNDLE",
            description = "a model to serve, which images it classifies, its exported bundle (repeat for more)")
    List<String> modelArgs = new ArrayList<>();

    @Option(names = "--emoji", description = "the emoji images (default ${DEFAULT-VALUE})")
    Path emoji = Path.of("samples/emoji/images");

    @Option(names = "--cache", description = "DJL's cache (default ${DEFAULT-VALUE})")
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "fovea");

    @Option(names = "--threads", description = "PyTorch threads of the bare call (default: one per core)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--concurrency", split = ",", description = "closed-loop clients per phase (default 1,8,32)")
    List<Integer> concurrency = List.of(1, 8, 32);

    @Option(names = "--batching", split = ",", description = "on and/or off (default on,off)")
    List<String> batching = List.of("on", "off");

    @Option(names = "--warmup", description = "seconds of each phase not counted (default ${DEFAULT-VALUE})")
    int warmup = 3;

    @Option(names = "--server-warmup", description = "seconds of load on each new server first (default ${DEFAULT-VALUE})")
    int serverWarmup = 5;

    @Option(names = "--seconds", description = "seconds measured per phase (default ${DEFAULT-VALUE})")
    int seconds = 10;

    @Option(names = "--soak", description = "seconds of the soak; 0 skips it (default ${DEFAULT-VALUE})")
    int soak = 60;

    @Option(names = "--soak-model", description = "the model of the soak (default ${DEFAULT-VALUE})")
    String soakModel = "emoji";

    @Option(names = "--soak-concurrency", description = "clients of the soak (default ${DEFAULT-VALUE})")
    int soakConcurrency = 32;

    @Option(names = "--sample-every", description = "seconds between soak samples (default ${DEFAULT-VALUE})")
    int sampleEvery = 5;

    @Option(names = "--server-heap", description = "-Xmx of the servers (default ${DEFAULT-VALUE})")
    String serverHeap = "1g";

    @Option(names = "--server-java-opts", description = "more JVM options for the servers")
    String serverJavaOpts = "";

    @Option(names = "--jcmd", description = "jcmd, for the servers' heap (default: this JDK's)")
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    @Option(names = "--logs", description = "where the server logs go (default: a new temporary folder)")
    Path logs;

    @Option(names = "--fashion-per-class", description = "Fashion-MNIST test images per class (default ${DEFAULT-VALUE})")
    int fashionPerClass = 100;

    @Option(names = "--bare-seconds", description = "seconds of each bare-call timing (default ${DEFAULT-VALUE})")
    double bareSeconds = 3;

    @Option(names = "--bare-only", description = "only the bare call: no servers")
    boolean bareOnly;

    List<ModelSpec> models = new ArrayList<>();
    String predictToken = System.getenv("FOVEA_TOKEN");
    String adminToken = System.getenv("FOVEA_ADMIN_TOKEN");

    /** Checks what picocli cannot and reads the --model values; stops with status 2 on a bad one. */
    ServingOptions validated() {
        for (String m : modelArgs) {
            String[] parts = m.split(",", 3);
            BenchOptions.require(parts.length == 3 && Set.of("emoji", "fashion").contains(parts[1]), this,
                    "--model takes NAME,emoji|fashion,BUNDLE_FILE, not '" + m + "'");
            models.add(new ModelSpec(parts[0], parts[1], Path.of(parts[2])));
        }
        BenchOptions.require(bareOnly || (launcher != null && workspace != null), this,
                "--launcher and --workspace are required");
        BenchOptions.require(bareOnly || (predictToken != null && adminToken != null), this,
                "set FOVEA_TOKEN (scope predict) and FOVEA_ADMIN_TOKEN (scope admin)");
        for (String b : batching) {
            BenchOptions.require(Set.of("on", "off").contains(b), this, "--batching takes on and/or off, not " + b);
        }
        return this;
    }
}

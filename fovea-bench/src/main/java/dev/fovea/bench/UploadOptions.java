package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@link UploadBenchmark}'s command line. */
@Command(name = "UploadBenchmark", mixinStandardHelpOptions = true,
        description = "POSTs the prepared images to a running fovea server and samples its memory (bench/upload.sh).")
final class UploadOptions {
    @Option(names = "--url", description = "the server, on a loopback address (default ${DEFAULT-VALUE})")
    String url = "http://127.0.0.1:8080";

    @Option(names = "--token", description = "an admin token (default: the environment's FOVEA_TOKEN)")
    String token;

    @Option(names = "--project", required = true, description = "the project to upload into")
    String project;

    @Option(names = "--data", description = "the prepared images (default ${DEFAULT-VALUE})")
    Path data = PrepareImportData.DEFAULT_OUT;

    @Option(names = "--clients", description = "concurrent clients (default ${DEFAULT-VALUE})")
    int clients = 8;

    @Option(names = "--seconds", description = "how long the load runs (default ${DEFAULT-VALUE})")
    int seconds = 60;

    @Option(names = "--server-pid", description = "the server JVM's pid, to sample its memory and CPU")
    long serverPid = -1;

    @Option(names = "--jcmd", description = "jcmd, to sample the server's heap (default: this JDK's)")
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    @Option(names = "--heap-every", description = "seconds between heap samples (default ${DEFAULT-VALUE})")
    int heapEvery = 5;

    @Option(names = "--seed", description = "order of the uploads (default ${DEFAULT-VALUE})")
    long seed = 42;

    /** Checks what picocli cannot; stops with status 2 on a bad value. */
    UploadOptions validated() {
        url = url.replaceAll("/+$", "");
        if (token == null) token = System.getenv("FOVEA_TOKEN");
        BenchOptions.require(token != null, this, "--token (or env FOVEA_TOKEN) is required");
        BenchOptions.require(Files.isDirectory(data), this,
                "data folder " + data + " does not exist; prepare it with PrepareImportData");
        BenchOptions.require(clients >= 1 && seconds >= 1 && heapEvery >= 1, this,
                "--clients, --seconds and --heap-every must be at least 1, not " + clients + ", " + seconds + ", " + heapEvery);
        return this;
    }
}

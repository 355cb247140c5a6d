package dev.fovea.app;

import dev.fovea.app.cli.Cli;
import java.nio.file.Path;

/** Entry point of the {@code fovea} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // DJL probes for CUDA at start-up and warns when there is no GPU driver: noise on the CPU machines Fovea targets.
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.pytorch.engine.PtEngine", "warn");
        Path cwd = Path.of("").toAbsolutePath();
        Path home = Path.of(System.getProperty("user.home"));
        boolean terminal = Boolean.getBoolean("fovea.tty");
        String foveaHome = System.getProperty("fovea.home", cwd.toString());
        int code = new Cli(System.getenv(), cwd, home, Path.of(foveaHome), System.out, System.err, terminal).run(args);
        System.exit(code);
    }
}

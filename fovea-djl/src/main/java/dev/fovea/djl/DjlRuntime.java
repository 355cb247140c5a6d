package dev.fovea.djl;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts DJL the way Fovea always runs it: offline (no model downloads, no EC2 metadata call, no telemetry,
 * whatever the environment says), with its caches, including the unpacked libtorch (about 430 MB on first
 * start), in a folder Fovea owns, and with a fixed number of PyTorch threads. Must run before any other DJL call;
 * later calls with other arguments are ignored (the native library is started once per process).
 */
public final class DjlRuntime {
    private static Engine engine;

    private DjlRuntime() {}

    public static synchronized Engine start(Path cacheDir, int threads) {
        if (engine != null) return engine;
        limitOneDnnToAvx2();
        // "offline" is read after DJL_OFFLINE and wins over it; tracking is off whenever DJL is offline.
        System.setProperty("offline", "true");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        String cache = cacheDir.toAbsolutePath().resolve("djl").toString();
        System.setProperty("DJL_CACHE_DIR", cache);
        System.setProperty("ENGINE_CACHE_DIR", cache);
        System.setProperty("ai.djl.default_engine", "PyTorch");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        // Training graphs change shape at the last batch; the profiling executor would re-optimise for nothing.
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        engine = Engine.getEngine("PyTorch");
        return engine;
    }

    /** What {@link #limitOneDnnToAvx2} found or did, for provenance and the log. */
    static volatile String oneDnnIsa = "not set";

    /**
     * PyTorch 2.7.1's oneDNN AVX-512 convolution kernels give wrong gradients when two threads run the backward
     * pass of small convolutions: on this project's AMD EPYC (AVX-512) machine the same training step gave other
     * weight gradients in the first layers from run to run, and NaN in about one run in three (a small CNN with
     * 8 channels and a 4-image batch; with one thread, or with oneDNN held to AVX2, every run was identical). So
     * Fovea holds oneDNN to AVX2 unless the environment already chose (ONEDNN_MAX_CPU_ISA or DNNL_MAX_CPU_ISA).
     * oneDNN reads the variable when it first dispatches a kernel, so it is set in this process's environment
     * (through the C library: Java cannot change its own) before any model runs.
     */
    private static void limitOneDnnToAvx2() {
        try {
            // the C library's view of the environment, which is what oneDNN reads
            for (String name : new String[] {"ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"}) {
                String chosen = CLibrary.INSTANCE.getenv(name);
                if (chosen != null && !chosen.isBlank()) {
                    oneDnnIsa = chosen + " (" + name + " from the environment)";
                    return;
                }
            }
            CLibrary.INSTANCE.setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 0);
            oneDnnIsa = "AVX2";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            oneDnnIsa = "default (could not set ONEDNN_MAX_CPU_ISA: " + e.getMessage() + ")";
        }
    }

    private interface CLibrary extends com.sun.jna.Library {
        CLibrary INSTANCE = com.sun.jna.Native.load("c", CLibrary.class);

        String getenv(String name);

        int setenv(String name, String value, int overwrite);
    }

    /** Whether {@link #start} has run in this process. */
    public static synchronized boolean started() {
        return engine != null;
    }

    /** The library versions, for a run's provenance. */
    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", engine == null ? "not started" : engine.getVersion());
        v.put("onednn_isa", oneDnnIsa);
        return v;
    }
}

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

    /**
     * The instruction set oneDNN (PyTorch's convolution kernels) may use, as the environment chose it
     * (ONEDNN_MAX_CPU_ISA), for each run's provenance. Read through the C library, which is what oneDNN reads.
     * Holding it to AVX2 made PyTorch 2.7.1's convolution backward exact for narrow layers on our AMD EPYC
     * (AVX-512), but cost 2x in backward time, so Fovea refuses narrow small CNNs instead (TrainSettings) and
     * leaves the choice to the environment.
     */
    private static String oneDnnIsa() {
        try {
            for (String name : new String[] {"ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"}) {
                String chosen = CLibrary.INSTANCE.getenv(name);
                if (chosen != null && !chosen.isBlank()) return chosen;
            }
            return "default";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "unknown";
        }
    }

    private interface CLibrary extends com.sun.jna.Library {
        CLibrary INSTANCE = com.sun.jna.Native.load("c", CLibrary.class);

        String getenv(String name);
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
        v.put("onednn_isa", oneDnnIsa());
        return v;
    }
}

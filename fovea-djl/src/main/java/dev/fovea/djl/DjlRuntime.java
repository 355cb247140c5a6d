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

    /** Whether {@link #start} has run in this process. */
    public static synchronized boolean started() {
        return engine != null;
    }

    /** The library versions, for a run's provenance. */
    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", engine == null ? "not started" : engine.getVersion());
        return v;
    }
}

package dev.fovea.core.serving;

import dev.fovea.core.FoveaException;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.training.Predictor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a server answers with. Explicit versions ({@code NAME:3}) are loaded on first use and stay loaded;
 * aliases ({@code NAME}, {@code NAME@staging}) are followed: every {@code aliasPoll} the server reads where each
 * alias it serves points, and when one moved it loads the new version and warms it up (one batch on a blank
 * image) <em>before</em> switching requests to it, then drains the old version (queued requests still answered)
 * and unloads it once nothing points at it. Requests never wait for a load during a swap and none is dropped.
 */
public final class ModelServing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelServing.class);

    /** A model version being served. */
    public record Served(ModelVersion version, ModelBundle bundle, DynamicBatcher batcher) {
        public Predictor predictor() {
            return batcher.predictor();
        }
    }

    private final RegistryService registry;
    private final ServingSettings settings;
    private final ServingMetrics metrics;
    private final ConcurrentHashMap<String, Served> loaded = new ConcurrentHashMap<>(); // by name:version
    private final ConcurrentHashMap<String, String> aliases = new ConcurrentHashMap<>(); // name@alias -> name:version
    private final ScheduledExecutorService poller;
    private final java.util.Set<String> pinned = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();

    public ModelServing(RegistryService registry, ServingSettings settings, ServingMetrics metrics) {
        this.registry = registry;
        this.settings = settings;
        this.metrics = metrics;
        // No thread yet: the executor starts one with the first alias served (see follow). A server that serves no
        // model by alias, or fails to start, never polls the database.
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("fovea-alias-poll").unstarted(r));
    }

    /** Starts polling the registry for aliases that moved, once: from the first alias served on. */
    private void follow() {
        if (polling.compareAndSet(false, true)) {
            long every = Math.max(50, settings.aliasPoll().toMillis());
            try {
                poller.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closed meanwhile: nothing to follow
            }
        }
    }

    /** Whether the alias poller runs (it starts with the first alias served). */
    public boolean polling() {
        return polling.get();
    }

    public ServingSettings settings() {
        return settings;
    }

    /** The served version for a reference, loading it on first use. */
    public Served get(RegistryService.Reference ref) {
        if (ref.version() != null) {
            Served s = load(registry.resolve(ref));
            pinned.add(s.version().label()); // an explicitly named version stays loaded
            return s;
        }
        String key = ref.name() + "@" + ref.alias();
        String target = aliases.get(key);
        if (target != null) {
            Served s = loaded.get(target);
            if (s != null) return s;
        }
        synchronized (this) {
            target = aliases.get(key);
            if (target != null && loaded.containsKey(target)) return loaded.get(target);
            Served s = load(registry.resolve(ref));
            aliases.put(key, s.version().label());
            follow();
            return s;
        }
    }

    /** Runs preprocessed images through the referenced model; retries once if a swap retired the version meanwhile. */
    public Answer predict(RegistryService.Reference ref, float[] input, int n) {
        Served s = get(ref);
        try {
            return new Answer(s, s.batcher().predict(input, n));
        } catch (FoveaException e) {
            if (!e.code().equals("not_ready")) throw e;
            Served again = get(ref);
            return new Answer(again, again.batcher().predict(input, n));
        }
    }

    /** Which version answered, and the probabilities. */
    public record Answer(Served served, float[][] probabilities) {}

    private Served load(ModelVersion v) {
        Served s = loaded.get(v.label());
        if (s != null) return s;
        synchronized (loaded) {
            s = loaded.get(v.label());
            if (s != null) return s;
            long start = System.nanoTime();
            ModelBundle bundle = registry.bundle(v);
            // Loaded and warmed up on the batcher's own thread, which makes every later call (see DynamicBatcher).
            DynamicBatcher batcher = new DynamicBatcher(() -> {
                Predictor p = registry.loader().load(bundle, settings.threads());
                try {
                    int size = p.preprocessing().inputSize();
                    p.probabilities(new float[3 * size * size], 1); // warm-up: the first call pays for lazy initialisation
                    return p;
                } catch (RuntimeException e) {
                    p.close();
                    throw e;
                }
            }, v.label(), settings, metrics);
            metrics.loaded(v.label(), System.nanoTime() - start);
            s = new Served(v, bundle, batcher);
            loaded.put(v.label(), s);
            LOG.info("loaded model {} in {} ms", v.label(), (System.nanoTime() - start) / 1_000_000);
            return s;
        }
    }

    /** Follows aliases that moved (load and warm the new version first), then unloads versions nothing uses. */
    public void refresh() {
        Map<String, Map<String, Integer>> all = registry.store().allAliases();
        for (var e : Map.copyOf(aliases).entrySet()) {
            String[] nameAlias = e.getKey().split("@", 2);
            Integer now = all.getOrDefault(nameAlias[0], Map.of()).get(nameAlias[1]);
            if (now == null) continue; // alias removed: keep serving what it pointed at until it points somewhere
            String target = nameAlias[0] + ":" + now;
            if (target.equals(e.getValue())) continue;
            Served fresh = load(registry.resolve(new RegistryService.Reference(nameAlias[0], now, null)));
            aliases.put(e.getKey(), fresh.version().label());
            LOG.info("alias {} moved from {} to {}", e.getKey(), e.getValue(), target);
        }
        retireUnused();
    }

    private void retireUnused() {
        for (String label : List.copyOf(loaded.keySet())) {
            if (aliases.containsValue(label) || pinned.contains(label)) continue;
            Served s = loaded.remove(label);
            if (s != null) {
                Thread.ofVirtual().start(() -> {
                    s.batcher().drain();
                    LOG.info("unloaded model {}", label);
                });
            }
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("could not refresh model aliases: {}", e.getMessage());
        }
    }

    /** Versions being served now. */
    public List<Served> served() {
        return List.copyOf(loaded.values());
    }

    @Override
    public void close() {
        poller.shutdownNow();
        for (Served s : loaded.values()) s.batcher().drain();
        loaded.clear();
    }
}

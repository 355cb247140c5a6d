package dev.fovea.bench;

import static dev.fovea.bench.UploadBenchmark.mib;

import dev.fovea.bench.support.Json;
import dev.fovea.bench.support.Latencies;
import dev.fovea.bench.support.RunHeader;
import dev.fovea.bench.support.ServerProbe.HeapSample;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@link UploadBenchmark} prints: the intro, the result block, and the closing JSON line. */
final class UploadReport {
    private UploadReport() {}

    static void printIntro(UploadBenchmark b) {
        UploadOptions o = b.options;
        RunHeader header = RunHeader.ofThisJvm();
        System.out.printf(Locale.ROOT, "upload benchmark: %d clients for %d s against POST %s%n", o.clients, o.seconds, b.uri);
        System.out.printf(Locale.ROOT, "data: %d images (%.1f MB) from %s, seed %d; client JVM %s, %d cores%n",
                b.images.size(), b.dataBytes / 1e6, o.data, o.seed, header.jvm(), header.cores());
        if (b.probe != null) {
            System.out.printf(Locale.ROOT, "server: pid %d, JVM options '%s'; RSS and CPU every 1 s from /proc, heap"
                    + " every %d s from %s%n", o.serverPid, b.probe.jvmOptions(), o.heapEvery, b.heapProbe
                    ? o.jcmd + " GC.heap_info" : "(no jcmd at " + o.jcmd + ": heap not sampled)");
        } else {
            System.out.println("server: no --server-pid given, so its memory is not sampled");
        }
    }

    static void printResult(UploadBenchmark b, UploadFigures f) {
        System.out.println();
        System.out.printf(Locale.ROOT, "== Result: %d clients, %.1f s (the last requests end after the %d s)%n",
                b.options.clients, f.duration(), b.options.seconds);
        printRates(b, f);
        System.out.println("latency per request, ms:      p50      p95      p99      max       n");
        System.out.println("  all                     " + f.all().format());
        System.out.println("  created (201)           " + f.createdLatency().format());
        System.out.println("  duplicate (200)         " + f.duplicateLatency().format());
        printServer(b, f);
        printHeapGrowth(b);
        System.out.println();
    }

    private static void printRates(UploadBenchmark b, UploadFigures f) {
        System.out.printf(Locale.ROOT, "throughput:  %.1f images/s (all 2xx: %d created + %d duplicate in %.1f s)%n",
                f.rate(), f.created(), f.duplicate(), f.duration());
        if (f.allCreatedAt() >= 0) {
            System.out.printf(Locale.ROOT, "first pass:  all %d distinct images created in %.2f s = %.1f images/s created"
                    + " (%.1f requests/s incl. %d duplicates from clients done with their slice)%n", b.images.size(),
                    f.firstSeconds(), f.firstRate(), f.firstRequestRate(), f.okBefore() - b.images.size());
            System.out.printf(Locale.ROOT, "steady:      %.1f images/s after that (%d uploads in %.1f s, all duplicates)%n",
                    f.steadyRate(), f.okAfter(), f.steadySeconds());
        } else {
            System.out.printf(Locale.ROOT, "first pass:  NOT complete: %d of %d distinct images created in %.1f s%n",
                    f.created(), b.images.size(), f.duration());
        }
        System.out.printf(Locale.ROOT, "last 10 s:   %.1f images/s (2xx from %d s to the end; still rising here means the"
                + " server, or the client, is still warming up)%n", f.last10Rate(), f.last10From() / 1_000_000_000L);
        System.out.printf(Locale.ROOT, "errors:      %d (non-2xx responses and failed exchanges)%n", f.errors());
    }

    private static void printServer(UploadBenchmark b, UploadFigures f) {
        long[] rss = b.rssSeries.stream().mapToLong(Long::longValue).toArray();
        if (b.probe != null && rss.length > 0) {
            double cpu = b.serverCpuSeconds();
            System.out.printf(Locale.ROOT, "server RSS:  min %.1f  max %.1f  first %.1f  last %.1f MiB (sampled each"
                    + " second; %.1f MiB before the load, %.1f MiB after the closing full GC)%n", mib(min(rss)),
                    mib(max(rss)), mib(rss[0]), mib(rss[rss.length - 1]), mib(b.rssBefore), mib(b.rssAfterGc));
            System.out.printf(Locale.ROOT, "server CPU:  %.1f s over the run = %.0f%% of one core, %.2f ms CPU per"
                    + " request; the client used %.1f s CPU (same machine)%n", cpu, 100 * cpu / f.duration(),
                    1000 * cpu / Math.max(1, f.requests()), b.clientCpuNanos / 1e9);
        }
        List<HeapSample> heaps = List.copyOf(b.heapSamples);
        if (!heaps.isEmpty()) {
            System.out.printf(Locale.ROOT, "server heap: used min %.1f  max %.1f MiB over %d samples (committed up to %.1f"
                    + " MiB; jcmd took %.0f ms wall a call, %.1f s CPU in all)%n", mib(heapMin(heaps)), mib(heapMax(heaps)),
                    heaps.size(), mib(committedMax(heaps)),
                    heaps.stream().mapToLong(HeapSample::jcmdMillis).average().orElse(Double.NaN), b.jcmdCpuSeconds);
        }
        if (b.liveBefore != null && b.liveAfter != null) {
            System.out.printf(Locale.ROOT, "live heap:   %.1f MiB before, %.1f MiB after the load (after a full GC each"
                    + " time)%n", mib(b.liveBefore.usedKib()), mib(b.liveAfter.usedKib()));
        }
    }

    private static void printHeapGrowth(UploadBenchmark b) {
        if (b.histogramBefore != null && b.histogramAfter != null) {
            Map<String, Long> growth = new HashMap<>(b.histogramAfter);
            b.histogramBefore.forEach((k, v) -> growth.merge(k, -v, Long::sum));
            System.out.println("live heap growth by class, top 8 (jcmd GC.class_histogram before and after the load):");
            growth.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(e -> System.out.printf(Locale.ROOT, "  %+9.1f KiB  %s%n", e.getValue() / 1024.0, e.getKey()));
        }
        if (b.nativeMemory != null) { // only when the server runs with -XX:NativeMemoryTracking=summary
            System.out.println("server native memory (jcmd VM.native_memory summary, after the closing full GC):");
            for (String line : b.nativeMemory.split("\n")) {
                String t = line.strip();
                if (t.startsWith("Total:") || (t.startsWith("-") && t.contains("(reserved="))) {
                    System.out.println("  " + t.replaceFirst("^-\\s+", "").replaceAll("\\s+", " "));
                }
            }
        }
    }

    /** The closing result line; numbers to 3 decimals, null where not measured. */
    static String json(UploadBenchmark b, UploadFigures f) {
        UploadOptions o = b.options;
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("benchmark", "upload");
        j.put("url", b.uri.toString());
        j.put("data", o.data.toString());
        j.put("files", b.images.size());
        j.put("data_bytes", b.dataBytes);
        j.put("clients", o.clients);
        j.put("seconds", o.seconds);
        j.put("seed", o.seed);
        j.put("duration_s", f.duration());
        j.put("requests", f.requests());
        j.put("created", f.created());
        j.put("duplicate", f.duplicate());
        j.put("errors", f.errors());
        j.put("images_per_s", f.rate());
        j.put("first_pass", object("images", b.images.size(), "seconds", f.firstSeconds(), "created_per_s", f.firstRate(),
                "requests_per_s", f.firstRequestRate()));
        j.put("steady", object("seconds", f.steadySeconds(), "requests", f.okAfter(), "images_per_s", f.steadyRate()));
        j.put("last_10s_images_per_s", f.last10Rate());
        j.put("latency_ms", object("all", latency(f.all()), "created", latency(f.createdLatency()),
                "duplicate", latency(f.duplicateLatency())));
        putServer(b, j);
        j.put("per_second", object("requests", b.requestSeries,
                "rss_mib", b.rssSeries.stream().map(UploadBenchmark::mib).toList()));
        j.put("heap_samples", List.copyOf(b.heapSamples).stream().map(s -> List.of(s.at(), mib(s.usedKib()))).toList());
        RunHeader header = RunHeader.ofThisJvm();
        j.put("client_jvm", header.jvm());
        j.put("cores", header.cores());
        j.put("at", Instant.now().toString());
        return Json.write(j, 3);
    }

    private static void putServer(UploadBenchmark b, Map<String, Object> j) {
        long[] rss = b.rssSeries.stream().mapToLong(Long::longValue).toArray();
        if (b.probe != null && rss.length > 0) {
            j.put("server_pid", b.options.serverPid);
            j.put("server_jvm_options", b.probe.jvmOptions());
            j.put("rss_mib", object("min", mib(min(rss)), "max", mib(max(rss)), "first", mib(rss[0]),
                    "last", mib(rss[rss.length - 1]), "before", mib(b.rssBefore), "after_gc", mib(b.rssAfterGc)));
            j.put("server_cpu_s", b.serverCpuSeconds());
            j.put("client_cpu_s", b.clientCpuNanos / 1e9);
            j.put("jcmd_cpu_s", b.jcmdCpuSeconds);
        }
        List<HeapSample> heaps = List.copyOf(b.heapSamples);
        if (!heaps.isEmpty()) {
            j.put("heap_used_mib", object("min", mib(heapMin(heaps)), "max", mib(heapMax(heaps)),
                    "committed_max", mib(committedMax(heaps)), "samples", heaps.size()));
        }
        if (b.liveBefore != null || b.liveAfter != null) {
            j.put("live_heap_mib", object("before", b.liveBefore == null ? null : mib(b.liveBefore.usedKib()),
                    "after", b.liveAfter == null ? null : mib(b.liveAfter.usedKib())));
        }
    }

    private static Map<String, Object> latency(Latencies.Summary s) {
        return s.json();
    }

    /** An ordered map of names and values (values may be null, unlike Map.of). */
    private static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        return m;
    }

    private static long min(long[] v) {
        long m = Long.MAX_VALUE;
        for (long x : v) m = Math.min(m, x);
        return m;
    }

    private static long max(long[] v) {
        long m = Long.MIN_VALUE;
        for (long x : v) m = Math.max(m, x);
        return m;
    }

    private static long heapMin(List<HeapSample> heaps) {
        return heaps.stream().mapToLong(HeapSample::usedKib).min().orElse(-1);
    }

    private static long heapMax(List<HeapSample> heaps) {
        return heaps.stream().mapToLong(HeapSample::usedKib).max().orElse(-1);
    }

    private static long committedMax(List<HeapSample> heaps) {
        return heaps.stream().mapToLong(HeapSample::committedKib).max().orElse(-1);
    }
}

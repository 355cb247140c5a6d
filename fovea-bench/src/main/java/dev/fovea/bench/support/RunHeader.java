package dev.fovea.bench.support;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The machine and JVM a benchmark ran on, as every result starts with them (the bench/*.sh scripts print the
 * shell's side: commit, kernel, CPU model, load).
 */
public record RunHeader(String jvm, String vmName, String vendor, int cores, String os, String arch, String xmx,
        long maxHeapMib, String gcs) {

    public static RunHeader ofThisJvm() {
        String xmx = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).reduce((a, b) -> b).orElse("(not set)");
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        return new RunHeader(Runtime.version().toString(), System.getProperty("java.vm.name"),
                System.getProperty("java.vendor"), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), xmx, Runtime.getRuntime().maxMemory() >> 20, gcs);
    }

    /** The three header lines: jvm, machine, heap. */
    public String lines() {
        return String.format(Locale.ROOT, "jvm:     %s (%s, %s)%nmachine: %d cores (availableProcessors), %s %s%n"
                + "heap:    %s, max heap %d MiB; GC: %s", jvm, vmName, vendor, cores, os, arch, xmx, maxHeapMib, gcs);
    }

    /** The header's fields in a result line: jvm, cores, xmx, max_heap_mib. */
    public void putInto(Map<String, Object> json) {
        json.put("jvm", jvm);
        json.put("cores", cores);
        json.put("xmx", xmx);
        json.put("max_heap_mib", maxHeapMib);
    }

    public void putInto(JsonObject json) {
        putInto(json.fields());
    }

    /** The one-minute load average, or "n/a". */
    public static String loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", l);
    }
}

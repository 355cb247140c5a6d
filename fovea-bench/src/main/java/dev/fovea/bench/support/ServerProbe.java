package dev.fovea.bench.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads the server process's memory and CPU from /proc, and its heap through jcmd. */
public final class ServerProbe {
    /** One heap reading from jcmd: seconds since the start, heap used and committed in KiB, how long jcmd took. */
    public record HeapSample(double at, long usedKib, long committedKib, long jcmdMillis) {}

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern COMMITTED = Pattern.compile("(?:committed|total) (\\d+)K");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(.+?)\\s*$");
    private final long pid;
    private final Path jcmd;

    public ServerProbe(long pid, Path jcmd) {
        this.pid = pid;
        this.jcmd = jcmd;
    }

    public boolean alive() {
        return Files.exists(Path.of("/proc/" + pid));
    }

    /** VmRSS in KiB, or -1 when the process is gone. */
    public long rssKib() {
        return statusField("VmRSS:");
    }

    public long threads() {
        return statusField("Threads:");
    }

    private long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** User + system CPU time of the whole process in milliseconds, or -1. */
    public long cpuMillis() {
        return CpuTime.processMillis(pid);
    }

    public String jvmOptions() {
        try {
            String[] args = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0");
            return Arrays.stream(args).filter(a -> a.startsWith("-X")).collect(Collectors.joining(" "));
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Runs jcmd with one command and returns its output, or null (and says why) when it fails. */
    public String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
                    Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            if (p.exitValue() != 0) {
                System.out.println("jcmd " + command + " failed (exit " + p.exitValue() + "): " + out.strip());
                return null;
            }
            return out;
        } catch (IOException e) {
            System.out.println("jcmd " + command + " failed: " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** GC.heap_info: the heap line, e.g. " garbage-first heap   total reserved 1048576K, committed 262144K, used 105612K [...". */
    public HeapSample heap(double at) {
        long t0 = System.nanoTime();
        String out = jcmd("GC.heap_info");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (out == null) return null;
        for (String line : out.split("\n")) {
            if (!line.contains("heap") || line.contains("Metaspace")) continue;
            Matcher used = USED.matcher(line), committed = COMMITTED.matcher(line);
            long c = -1;
            while (committed.find()) c = Long.parseLong(committed.group(1)); // the last of total/committed
            if (used.find()) return new HeapSample(at, Long.parseLong(used.group(1)), c, millis);
        }
        System.out.println("jcmd GC.heap_info: no heap line with 'used NK' in: " + out.strip());
        return null;
    }

    /** GC.class_histogram (which runs a full GC first): live bytes per class, or null. */
    public java.util.Map<String, Long> histogram() {
        String out = jcmd("GC.class_histogram");
        if (out == null) return null;
        java.util.Map<String, Long> bytes = new java.util.HashMap<>();
        for (String line : out.split("\n")) {
            Matcher m = HISTOGRAM_ROW.matcher(line);
            if (m.matches()) bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
        }
        return bytes;
    }

    /** Asks for a full GC, then reads the heap: the live heap. */
    public HeapSample liveHeap(double at) {
        if (jcmd("GC.run") == null) return null;
        return heap(at);
    }
}

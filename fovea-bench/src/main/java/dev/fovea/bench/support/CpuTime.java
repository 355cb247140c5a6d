package dev.fovea.bench.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of this JVM, its threads, another process and the whole machine (Linux /proc), for the CPU columns. */
public final class CpuTime {
    /** USER_HZ: clock ticks a second in /proc, 100 on every Linux that matters. */
    private static final long TICKS_PER_SECOND = 100;

    private CpuTime() {}

    /** CPU time of this whole JVM in ns, or -1 where the JVM cannot tell. */
    public static long processNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** CPU time of the current thread in ns (0 where the JVM cannot tell). */
    public static long threadNanos() {
        var bean = ManagementFactory.getThreadMXBean();
        return bean.isCurrentThreadCpuTimeSupported() ? bean.getCurrentThreadCpuTime() : 0;
    }

    /** utime + stime of process {@code pid} in ms, from /proc/PID/stat; -1 if unknown. */
    public static long processMillis(long pid) {
        return pid <= 0 ? -1 : statTicks("/proc/" + pid + "/stat", 11);
    }

    /** cutime + cstime of this process's finished children (e.g. jcmd calls) in ms; -1 if unknown. */
    public static long childrenMillis() {
        return statTicks("/proc/self/stat", 13);
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat (busy leaves out idle and iowait); null if unknown. */
    public static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@link #machineTicks()}, or {0, 0} if unknown (a difference of two then reads 0). */
    public static long[] machineTicksOrZero() {
        long[] ticks = machineTicks();
        return ticks == null ? new long[] {0, 0} : ticks;
    }

    /** Two adjacent fields of a /proc stat line, summed, in ms; {@code first} counts from field 3 (state) as 0. */
    private static long statTicks(String file, int first) {
        try {
            String stat = Files.readString(Path.of(file));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[first]) + Long.parseLong(f[first + 1])) * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

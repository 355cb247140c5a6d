package dev.fovea.bench;

import dev.fovea.bench.support.Latencies;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What an upload run measured, all from the clients' per-request records: counts, rates of the first pass (every
 * distinct image created once), of the steady state after it and of the last 10 s, and latencies per outcome.
 */
record UploadFigures(int requests, int created, int duplicate, int errors, double duration, double rate,
        long allCreatedAt, double firstSeconds, double firstRate, double firstRequestRate, long okBefore,
        double steadySeconds, long okAfter, double steadyRate, long last10From, double last10Rate,
        Latencies.Summary all, Latencies.Summary createdLatency, Latencies.Summary duplicateLatency) {

    static UploadFigures of(List<UploadClient> clients, UploadClient.Progress progress, int distinct, int seconds) {
        Latencies all = new Latencies(), created = new Latencies(), duplicate = new Latencies();
        int errors = 0;
        long lastEnd = 0, okAfter = 0, okBefore = 0, okLast10 = 0;
        long allCreatedAt = progress.allCreatedAt.get();
        long last10From = TimeUnit.SECONDS.toNanos(Math.max(0, seconds - 10));
        for (UploadClient c : clients) {
            UploadClient.Records r = c.records;
            for (int i = 0; i < r.size; i++) {
                all.record(r.latency[i]);
                lastEnd = Math.max(lastEnd, r.end[i]);
                switch (r.kind[i]) {
                    case UploadClient.CREATED -> created.record(r.latency[i]);
                    case UploadClient.DUPLICATE -> duplicate.record(r.latency[i]);
                    default -> errors++;
                }
                if (r.kind[i] == UploadClient.ERROR) continue;
                if (allCreatedAt >= 0 && r.end[i] > allCreatedAt) okAfter++;
                else okBefore++;
                if (r.end[i] > last10From) okLast10++;
            }
        }
        double duration = lastEnd / 1e9;
        int ok = created.count() + duplicate.count();
        double firstSeconds = allCreatedAt >= 0 ? allCreatedAt / 1e9 : Double.NaN;
        double steadySeconds = duration - firstSeconds;
        return new UploadFigures(all.count(), created.count(), duplicate.count(), errors, duration, ok / duration,
                allCreatedAt, firstSeconds, distinct / firstSeconds, okBefore / firstSeconds, okBefore, steadySeconds,
                okAfter, okAfter / steadySeconds, last10From, okLast10 / (duration - last10From / 1e9), all.summary(),
                created.summary(), duplicate.summary());
    }
}

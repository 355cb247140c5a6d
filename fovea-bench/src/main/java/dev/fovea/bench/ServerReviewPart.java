package dev.fovea.bench;

import static dev.fovea.bench.ReviewApi.enc;

import dev.fovea.bench.ReviewSetup.Account;
import dev.fovea.bench.ReviewSetup.Setup;
import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.Latencies.Summary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;

/** The review benchmark's server part: N reviewers at once, each on its own connection. */
final class ServerReviewPart {
    private final ReviewOptions o;
    private final Setup s;
    private final List<Reviewer> workers = new ArrayList<>();
    // What the run measured.
    private double wall, clientCpu, serverCpu, machineBusy;
    private final CallSamples calls = new CallSamples(), decided = new CallSamples();
    private int errors, empty;
    private final List<String> errorTexts = new ArrayList<>();
    private final Map<String, List<String>> byImage = new HashMap<>();
    private final Map<String, Integer> stops = new LinkedHashMap<>();
    private int handOuts, twoReviewers, sameReviewerTwice;
    private final List<String> examples = new ArrayList<>();

    private ServerReviewPart(ReviewOptions o, Setup s) {
        this.o = o;
        this.s = s;
    }

    /** Runs the part, prints it, fills {@code json}; true when every check held. */
    static boolean serverPart(ReviewOptions o, Setup s, ReviewApi admin, Map<String, Object> json) throws Exception {
        ServerReviewPart part = new ServerReviewPart(o, s);
        part.printIntro();
        part.run();
        part.tally();
        return part.report(admin, json);
    }

    private void printIntro() {
        System.out.println();
        System.out.printf(Locale.ROOT, "server: %d reviewers at once on project '%s' (%d images, single review), each on"
                + " its own connection: GET review/queue?count=%d, then one POST reviews (suitable, class '%s') per image"
                + " handed out; %s; the first %d s count as warm-up%n", s.reviewers().size(), o.serverProject,
                s.serverImages(), o.count, s.serverClass(),
                o.rounds == 0 ? "for " + o.seconds + " s or until the project has nothing left"
                        : o.rounds + " rounds each (at most " + o.seconds + " s)",
                o.warmupSeconds);
        System.out.println(o.thinkMillis == 0 ? "no pause between requests: a closed loop at full speed, so the figures"
                + " include waiting behind the other reviewers' requests" : "a pause of " + o.thinkMillis
                + " ms after each decision");
    }

    /** The reviewers' threads, released together; wall time and the CPU of this JVM, the server and the machine. */
    private void run() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(s.reviewers().size() + 1);
        List<Thread> threads = new ArrayList<>();
        for (Account a : s.reviewers()) {
            Reviewer r = new Reviewer(a, o, s.serverClass(), barrier);
            workers.add(r);
            Thread t = new Thread(r, "reviewer-" + a.name());
            threads.add(t);
            t.start();
        }
        long start = System.nanoTime();
        for (Reviewer r : workers) {
            r.start = start;
            r.deadline = start + o.seconds * 1_000_000_000L;
        }
        long cpu0 = CpuTime.processNanos(), server0 = CpuTime.processMillis(o.serverPid);
        long[] machine0 = CpuTime.machineTicks();
        barrier.await();
        for (Thread t : threads) t.join();
        wall = (System.nanoTime() - start) / 1e9;
        clientCpu = (CpuTime.processNanos() - cpu0) / 1e9;
        long server1 = CpuTime.processMillis(o.serverPid);
        long[] machine1 = CpuTime.machineTicks();
        serverCpu = server0 < 0 || server1 < 0 ? Double.NaN : (server1 - server0) / 1e3;
        machineBusy = machine0 == null || machine1 == null || machine1[1] == machine0[1] ? Double.NaN
                : 100.0 * (machine1[0] - machine0[0]) / (machine1[1] - machine0[1]);
    }

    /** The reviewers' samples together, and the images handed out more than once. */
    private void tally() {
        for (Reviewer r : workers) {
            calls.addAll(r.queueCalls);
            decided.addAll(r.decisions);
            errors += r.errors;
            empty += r.emptyAnswers;
            errorTexts.addAll(r.errorTexts);
            stops.merge(r.stoppedBecause, 1, Integer::sum);
            for (String id : r.handedOut) byImage.computeIfAbsent(id, k -> new ArrayList<>()).add(r.account.name());
        }
        // Every hand-out in a single-review project must be the image's only one: a decided image's claim stays
        // filled, so an image seen twice (by two reviewers, or twice by one) was handed out while it was taken.
        handOuts = byImage.values().stream().mapToInt(List::size).sum();
        for (Map.Entry<String, List<String>> e : byImage.entrySet()) {
            Set<String> distinct = new HashSet<>(e.getValue());
            if (distinct.size() > 1) {
                twoReviewers++;
                if (examples.size() < 5) examples.add(e.getKey().substring(0, 12) + " -> " + e.getValue());
            }
            if (distinct.size() < e.getValue().size()) sameReviewerTwice++;
        }
    }

    private boolean report(ReviewApi admin, Map<String, Object> json) throws Exception {
        long warm = o.warmupSeconds * 1_000_000_000L;
        Summary all = calls.summary(0), warmOnly = calls.summary(warm), dAll = decided.summary(0);
        Summary dWarm = decided.summary(warm);
        double lastEnd = Math.max(calls.lastEnd(), decided.lastEnd()) / 1e9;
        double measured = Math.max(1e-9, lastEnd - o.warmupSeconds);
        printFigures(all, warmOnly, dAll, dWarm, measured);
        // The server's side of it: every decision stored once, on as many images as were handed out.
        Map<String, Object> stats = admin.expect(200, "GET", "/api/projects/" + enc(o.serverProject) + "/review/stats", null);
        long storedReviews = 0;
        for (Object r : (List<?>) stats.get("reviewers")) storedReviews += ((Number) ((Map<?, ?>) r).get("reviews")).longValue();
        Object states = stats.get("images_by_state");
        System.out.printf(Locale.ROOT, "server's figures (GET review/stats): %d reviews stored; images by state %s%n",
                storedReviews, states);
        System.out.println("errors: " + errors);
        for (String e : errorTexts) System.out.println("  error: " + e);
        json.put("project", o.serverProject);
        json.put("images", s.serverImages());
        json.put("reviewers", s.reviewers().size());
        json.put("count", o.count);
        json.put("seconds", wall);
        json.put("warmup_seconds", o.warmupSeconds);
        json.put("stopped", stops);
        json.put("queue_ms", all.json());
        json.put("queue_ms_after_warmup", warmOnly.json());
        json.put("queue_calls_per_s", all.n() / wall);
        json.put("queue_calls_per_s_after_warmup", warmOnly.n() / measured);
        json.put("decision_ms", dAll.json());
        json.put("decision_ms_after_warmup", dWarm.json());
        json.put("decisions_per_s", dAll.n() / wall);
        json.put("hand_outs", handOuts);
        json.put("distinct_images", byImage.size());
        json.put("empty_answers", empty);
        json.put("images_to_two_reviewers", twoReviewers);
        json.put("images_twice_to_one_reviewer", sameReviewerTwice);
        json.put("errors", errors);
        json.put("reviews_stored", storedReviews);
        json.put("images_by_state", states);
        json.put("client_cpu_s", clientCpu);
        json.put("server_cpu_s", serverCpu);
        json.put("machine_busy_percent", machineBusy);
        json.put("think_ms", o.thinkMillis);
        return errors == 0 && twoReviewers == 0 && sameReviewerTwice == 0 && storedReviews == byImage.size();
    }

    private void printFigures(Summary all, Summary warmOnly, Summary dAll, Summary dWarm, double measured) {
        System.out.printf(Locale.ROOT, "ran %.1f s; stopped: %s; CPU: server %s, this client %.1f s (%.0f%% of one core);"
                + " the whole machine %s busy%n", wall, stops,
                Double.isNaN(serverCpu) ? "not sampled (no --server-pid)"
                        : String.format(Locale.ROOT, "%.1f s (%.0f%% of one core)", serverCpu, 100 * serverCpu / wall),
                clientCpu, 100 * clientCpu / wall,
                Double.isNaN(machineBusy) ? "?" : String.format(Locale.ROOT, "%.0f%%", machineBusy));
        System.out.printf(Locale.ROOT, "                              %8s %8s %8s %8s %7s   %s%n", "p50 ms", "p95 ms", "p99 ms", "max ms", "n", "rate");
        System.out.printf(Locale.ROOT, "queue call (all)              %s   %.1f calls/s%n", all.format(), all.n() / wall);
        System.out.printf(Locale.ROOT, "queue call (after %2d s)       %s   %.1f calls/s%n", o.warmupSeconds, warmOnly.format(),
                warmOnly.n() / measured);
        System.out.printf(Locale.ROOT, "decision POST (all)           %s   %.1f decisions/s%n", dAll.format(), dAll.n() / wall);
        System.out.printf(Locale.ROOT, "decision POST (after %2d s)    %s   %.1f decisions/s%n", o.warmupSeconds, dWarm.format(),
                dWarm.n() / measured);
        System.out.printf(Locale.ROOT, "hand-outs: %d (%d distinct images of %d, %d empty answers); images handed to two"
                + " reviewers: %d; handed twice to one reviewer: %d%n", handOuts, byImage.size(), s.serverImages(), empty,
                twoReviewers, sameReviewerTwice);
        for (String e : examples) System.out.println("  duplicate: " + e);
    }
}

package dev.fovea.bench;

import static dev.fovea.bench.ReviewApi.enc;
import static dev.fovea.bench.ReviewApi.map;

import dev.fovea.bench.ReviewSetup.Account;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;

/** One reviewer's thread: queue call, then a decision for each image handed out, round after round. */
final class Reviewer implements Runnable {
    final Account account;
    final ReviewOptions o;
    final String cls;
    final CyclicBarrier barrier;
    long start; // System.nanoTime() shared by all threads
    long deadline;
    final CallSamples queueCalls = new CallSamples();
    final CallSamples decisions = new CallSamples();
    final List<String> handedOut = new ArrayList<>();
    int emptyAnswers, rounds, errors;
    final List<String> errorTexts = new ArrayList<>();
    String stoppedBecause = "time";

    Reviewer(Account account, ReviewOptions o, String cls, CyclicBarrier barrier) {
        this.account = account;
        this.o = o;
        this.cls = cls;
        this.barrier = barrier;
    }

    @Override
    public void run() {
        ReviewApi api = new ReviewApi(o.url, account.token());
        String base = "/api/projects/" + enc(o.serverProject);
        try {
            barrier.await();
            while (System.nanoTime() < deadline && (o.rounds == 0 || rounds < o.rounds)) {
                long t0 = System.nanoTime();
                ReviewApi.Answer a = api.send("GET", base + "/review/queue?count=" + o.count, null);
                long t1 = System.nanoTime();
                queueCalls.add(t0 - start, t1 - t0);
                if (a.status() != 200) {
                    error("GET queue: " + a.status() + " " + a.body());
                    continue;
                }
                List<?> images = (List<?>) map(a.body()).get("images");
                if (images.isEmpty()) {
                    emptyAnswers++;
                    stoppedBecause = "nothing left";
                    break;
                }
                for (Object item : images) {
                    String id = (String) ((Map<?, ?>) item).get("id");
                    handedOut.add(id);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("client_id", UUID.randomUUID().toString());
                    body.put("image", id);
                    body.put("decision", "suitable");
                    body.put("class", cls);
                    body.put("duration_ms", 1500);
                    long d0 = System.nanoTime();
                    ReviewApi.Answer r = api.send("POST", base + "/reviews", body);
                    long d1 = System.nanoTime();
                    decisions.add(d0 - start, d1 - d0);
                    if (r.status() != 201) error("POST review: " + r.status() + " " + r.body());
                    if (o.thinkMillis > 0) Thread.sleep(o.thinkMillis);
                }
                rounds++;
            }
            if (o.rounds != 0 && rounds >= o.rounds) stoppedBecause = "rounds";
        } catch (Exception e) {
            error("stopped by " + e);
            stoppedBecause = "error";
        }
    }

    private void error(String text) {
        errors++;
        if (errorTexts.size() < 3) errorTexts.add(account.name() + ": " + (text.length() > 300 ? text.substring(0, 300) : text));
        if (errors > 20) throw new IllegalStateException("more than 20 errors");
    }
}

package dev.fovea.bench;

import dev.fovea.bench.support.Pause;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** One closed-loop client of the serving benchmark, and the bits of OIP v2 it needs. */
final class InferenceClient implements Runnable {
    private static final int ERRORS_SHOWN = 3;

    /** One request body and the label the bare call gave its image. */
    record Payload(String file, byte[] body, String expected) {}

    /** Per-request records of one client. */
    static final class Records {
        long[] end = new long[1024], latency = new long[1024];
        int[] status = new int[1024];
        boolean[] wrong = new boolean[1024];
        int size;

        void add(long endNanos, long latencyNanos, int code, boolean wrongLabel) {
            if (size == end.length) {
                end = Arrays.copyOf(end, size * 2);
                latency = Arrays.copyOf(latency, size * 2);
                status = Arrays.copyOf(status, size * 2);
                wrong = Arrays.copyOf(wrong, size * 2);
            }
            end[size] = endNanos;
            latency[size] = latencyNanos;
            status[size] = code;
            wrong[size] = wrongLabel;
            size++;
        }
    }


    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final URI uri;
    final String token;
    final List<Payload> payloads;
    final int offset;
    final long until;
    final Records records = new Records();
    final LongAdder answered = new LongAdder(), refused = new LongAdder(), failed = new LongAdder(); // for progress lines
    final List<String> errors;

    InferenceClient(URI uri, String token, List<Payload> payloads, int offset, long until, List<String> errors) {
        this.uri = uri;
        this.token = token;
        this.payloads = payloads;
        this.offset = offset;
        this.until = until;
        this.errors = errors;
    }

    @Override
    public void run() {
        int i = offset;
        while (System.nanoTime() < until) {
            Payload p = payloads.get(i++ % payloads.size());
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(p.body())).build();
            long t0 = System.nanoTime();
            int code;
            String body;
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                code = r.statusCode();
                body = new String(r.body(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                code = 0;
                body = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long t1 = System.nanoTime();
            boolean wrong = false;
            if (code == 200) {
                String label = label(body);
                wrong = label == null || !label.equals(p.expected());
                if (wrong) note(errors, "label " + label + " for " + p.file() + ", bare call said " + p.expected()
                        + ": " + cut(body));
            } else {
                note(errors, (code == 0 ? "no response" : "HTTP " + code) + " for " + p.file() + ": " + cut(body));
            }
            records.add(t1, t1 - t0, code, wrong);
            (code == 200 ? answered : code == 429 ? refused : failed).increment();
            if (code == 0) Pause.quietly(50); // a refused or broken connection: do not spin
        }
    }

    private static void note(List<String> errors, String line) {
        synchronized (errors) {
            if (errors.size() < ERRORS_SHOWN) errors.add(line);
        }
    }

    static String cut(String s) {
        s = s.replace('\n', ' ');
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** The first element of the "label" output of an OIP v2 JSON answer, or null. */
    static String label(String json) {
        int at = json.indexOf("\"name\":\"label\"");
        if (at < 0) return null;
        int data = json.indexOf("\"data\":[\"", at);
        if (data < 0) return null;
        int from = data + "\"data\":[\"".length(), to = json.indexOf('"', from);
        return to < 0 ? null : json.substring(from, to);
    }
}

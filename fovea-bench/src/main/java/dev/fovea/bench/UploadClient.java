package dev.fovea.bench;

import dev.fovea.bench.support.Pause;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** One upload client: its own HTTP connection, its first-pass slice, then endless shuffled passes over all images. */
final class UploadClient implements Runnable {
    static final byte CREATED = 1, DUPLICATE = 2, ERROR = 3;
    private static final int MAX_ERRORS_SHOWN = 5;

    /** One file to upload: its path under the data folder, its bytes and content type. */
    record Image(String name, byte[] bytes, String contentType) {}

    /** What every client reports into while the load runs. */
    static final class Progress {
        final AtomicLong created = new AtomicLong(), duplicate = new AtomicLong(), errors = new AtomicLong();
        final AtomicInteger errorsShown = new AtomicInteger();
        final AtomicLong allCreatedAt = new AtomicLong(-1); // nanos since start when the last distinct image was created
        final int distinct;
        final long start, deadline;
        volatile boolean stop;

        Progress(int distinct, long start, long deadline) {
            this.distinct = distinct;
            this.start = start;
            this.deadline = deadline;
        }

        long done() {
            return created.get() + duplicate.get() + errors.get();
        }
    }

    /** Per-request records of one client: completion time (nanos since start), latency (nanos), outcome. */
    static final class Records {
        long[] end = new long[4096], latency = new long[4096];
        byte[] kind = new byte[4096];
        int size;

        void add(long endNanos, long latencyNanos, byte outcome) {
            if (size == end.length) {
                end = Arrays.copyOf(end, size * 2);
                latency = Arrays.copyOf(latency, size * 2);
                kind = Arrays.copyOf(kind, size * 2);
            }
            end[size] = endNanos;
            latency[size] = latencyNanos;
            kind[size] = outcome;
            size++;
        }
    }

    final Records records = new Records();
    private final int number;
    private final List<Image> images;
    private final int[] firstPass;
    private final Random random;
    private final URI uri;
    private final String token;
    private final Progress progress;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    UploadClient(int number, List<Image> images, int[] firstPass, long seed, URI uri, String token, Progress progress) {
        this.number = number;
        this.images = images;
        this.firstPass = firstPass;
        this.random = new Random(seed + 1 + number);
        this.uri = uri;
        this.token = token;
        this.progress = progress;
    }

    @Override
    public void run() {
        int[] order = firstPass;
        int position = 0;
        int[] all = new int[images.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        while (!progress.stop && System.nanoTime() < progress.deadline) {
            if (position == order.length) { // next pass: all images in this client's own shuffled order
                shuffle(all, random);
                order = all;
                position = 0;
                if (order.length == 0) break;
            }
            if (!upload(images.get(order[position++]))) break;
        }
    }

    /** One request; false when interrupted. */
    private boolean upload(Image image) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("X-Filename", image.name())
                .header("Content-Type", image.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(image.bytes())).build();
        long t0 = System.nanoTime();
        int status;
        String body;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            body = response.body();
        } catch (IOException e) {
            status = 0;
            body = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        long t1 = System.nanoTime();
        records.add(t1 - progress.start, t1 - t0, outcome(status, body, image, t1));
        if (status == 0) Pause.quietly(100); // a refused or broken connection: do not spin
        return true;
    }

    private byte outcome(int status, String body, Image image, long at) {
        if (status == 201) {
            if (progress.created.incrementAndGet() == progress.distinct) progress.allCreatedAt.set(at - progress.start);
            return CREATED;
        }
        if (status == 200) {
            progress.duplicate.incrementAndGet();
            return DUPLICATE;
        }
        progress.errors.incrementAndGet();
        if (progress.errorsShown.getAndIncrement() < MAX_ERRORS_SHOWN) {
            String shown = body == null ? "" : body.length() > 400 ? body.substring(0, 400) + "..." : body;
            System.out.printf(Locale.ROOT, "error: client %d, %s: %s %s%n", number, image.name(),
                    status == 0 ? "no response:" : "HTTP " + status, shown.replace('\n', ' '));
        }
        return ERROR;
    }

    /** The .jpg and .png files under the folder, sorted by relative path, read into memory. */
    static List<Image> load(Path data) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
            }).sorted(Comparator.comparing(p -> data.relativize(p).toString().replace('\\', '/'))).toList();
        }
        List<Image> images = new ArrayList<>();
        for (Path p : files) {
            String name = data.relativize(p).toString().replace('\\', '/');
            String type = name.toLowerCase(Locale.ROOT).endsWith(".png") ? "image/png" : "image/jpeg";
            images.add(new Image(name, Files.readAllBytes(p), type));
        }
        return images;
    }

    static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

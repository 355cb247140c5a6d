package dev.fovea.app.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fovea.app.weights.WeightsDownload.Progress;
import dev.fovea.app.weights.WeightsDownload.Result;
import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against a real server on 127.0.0.1 that serves a few MB of seeded random bytes and honours Range (unless told). */
@Timeout(60)
class WeightsDownloadTest {
    static final byte[] DATA = new byte[3 * 1024 * 1024 + 12_345];
    static final String SHA;
    static final String FILE;
    static final int CHUNK = 64 * 1024;
    static final WeightsDownload DOWNLOAD = WeightsDownload.standard();

    static {
        new Random(18).nextBytes(DATA);
        SHA = sha256(DATA);
        FILE = "/models/resnet18-" + SHA.substring(0, 8) + ".pth"; // named the way torchvision names its files
    }

    enum Behaviour { HONOUR_RANGES, IGNORE_RANGES, CUT_FIRST_IN_HALF, STALL_HALF_WAY }

    @TempDir Path dir;
    Path target;
    Path part;
    HttpServer server;
    ExecutorService handlers;
    volatile Behaviour behaviour = Behaviour.HONOUR_RANGES;
    final List<String> ranges = Collections.synchronizedList(new ArrayList<>()); // "" for a request without one
    final AtomicInteger fileRequests = new AtomicInteger();
    final CountDownLatch unstall = new CountDownLatch(1);
    final List<Progress> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        target = dir.resolve("weights/resnet18.pth");
        part = dir.resolve("weights/resnet18.pth.part");
        handlers = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", this::serve);
        server.start();
    }

    @AfterEach
    void stop() {
        unstall.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        String path = exchange.getRequestURI().getPath();
        try {
            if (path.equals("/busy.pth")) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            if (!path.equals(FILE)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            ranges.add(range == null ? "" : range);
            boolean first = fileRequests.getAndIncrement() == 0;
            int start = 0;
            if (range != null && behaviour != Behaviour.IGNORE_RANGES) {
                Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
                if (!m.matches()) throw new IllegalStateException("the test server reads only bytes=N-, not " + range);
                start = Integer.parseInt(m.group(1));
                if (start >= DATA.length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + DATA.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Range",
                        "bytes " + start + "-" + (DATA.length - 1) + "/" + DATA.length);
                exchange.sendResponseHeaders(206, DATA.length - start);
            } else {
                exchange.sendResponseHeaders(200, DATA.length);
            }
            OutputStream body = exchange.getResponseBody();
            boolean cut = behaviour == Behaviour.CUT_FIRST_IN_HALF && first || behaviour == Behaviour.STALL_HALF_WAY;
            if (!cut) {
                body.write(DATA, start, DATA.length - start);
                return;
            }
            body.write(DATA, start, (DATA.length - start) / 2);
            body.flush();
            if (behaviour == Behaviour.STALL_HALF_WAY) unstall.await(30, TimeUnit.SECONDS);
            // Closing with bytes still owed drops the connection: the client's body ends early.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private Result fetch(String prefix, String sha256) {
        return DOWNLOAD.fetch(url(FILE), target, prefix, sha256, progress::add);
    }

    private FoveaException failure(Runnable call) {
        FoveaException e = catchThrowableOfType(FoveaException.class, call::run);
        assertThat(e).as("the call fails with a FoveaException").isNotNull();
        return e;
    }

    @Test
    void downloadsTheFileCheckingPrefixAndWholeHashAndReportsProgressUpToTheTotal() throws IOException {
        Result r = fetch(SHA.substring(0, 8).toUpperCase(), SHA); // upper case: the prefix is case-insensitive

        assertThat(r).isEqualTo(new Result(target, SHA, DATA.length, false));
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(part).doesNotExist();
        assertThat(ranges).containsExactly(""); // nothing to resume, so no Range
        assertThat(progress.getLast()).isEqualTo(new Progress(DATA.length, DATA.length));
        assertThat(progress).allSatisfy(p -> assertThat(p.total()).isEqualTo(DATA.length));
        List<Long> done = progress.stream().map(Progress::done).toList();
        assertThat(done).isSorted().doesNotHaveDuplicates();
        for (int i = 1; i < done.size() - 1; i++) {
            assertThat(done.get(i) - done.get(i - 1)).as("report %d comes after at least 64 KB", i).isGreaterThanOrEqualTo(CHUNK);
        }
        assertThat(done.getFirst()).isGreaterThanOrEqualTo(CHUNK);
        assertThat(progress).hasSizeGreaterThan(DATA.length / (2 * CHUNK));
    }

    @Test
    void aWrongHashPrefixIsRefusedAndLeavesNothingBehind() {
        String wrong = (SHA.charAt(0) == 'a' ? "b" : "a") + SHA.substring(1, 8);

        FoveaException e = failure(() -> fetch(wrong, null));

        assertThat(e.code()).isEqualTo("hash_mismatch");
        assertThat(e.getMessage()).contains(url(FILE).toString(), "start with " + wrong, SHA);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void aWrongWholeSha256IsRefusedEvenWhenThePrefixMatches() {
        String wrong = SHA.substring(0, 63) + (SHA.endsWith("0") ? "1" : "0");

        FoveaException e = failure(() -> fetch(SHA.substring(0, 8), wrong));

        assertThat(e.code()).isEqualTo("hash_mismatch");
        assertThat(e.getMessage()).contains(url(FILE).toString(), "expected " + wrong, "SHA-256 " + SHA);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void aTruncatedDownloadKeepsThePartAndTheSameCallResumesItWithARange() throws IOException {
        behaviour = Behaviour.CUT_FIRST_IN_HALF;

        FoveaException e = failure(() -> fetch(SHA.substring(0, 8), SHA));

        assertThat(e.code()).isEqualTo("download_incomplete");
        assertThat(part).exists();
        long kept = Files.size(part);
        assertThat(kept).isBetween(1L, DATA.length / 2L);
        assertThat(Files.readAllBytes(part)).isEqualTo(Arrays.copyOf(DATA, (int) kept));
        assertThat(e.getMessage()).contains(url(FILE).toString(), "stopped after " + kept + " of " + DATA.length + " bytes",
                part.toString(), "the same command resumes");
        assertThat(target).doesNotExist();

        progress.clear();
        Result r = fetch(SHA.substring(0, 8), SHA);

        assertThat(ranges).containsExactly("", "bytes=" + kept + "-");
        assertThat(r).isEqualTo(new Result(target, SHA, DATA.length, true));
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(part).doesNotExist();
        assertThat(progress.getFirst().done()).isGreaterThan(kept); // counts from the kept bytes, not from 0
        assertThat(progress.getLast()).isEqualTo(new Progress(DATA.length, DATA.length));
    }

    @Test
    void aServerThatIgnoresRangeAnswers200AndThePartStartsOver() throws IOException {
        behaviour = Behaviour.IGNORE_RANGES;
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(DATA, 1000));

        Result r = fetch(SHA.substring(0, 8), SHA); // appending the whole file to the part would fail the hash

        assertThat(ranges).containsExactly("bytes=1000-");
        assertThat(r).isEqualTo(new Result(target, SHA, DATA.length, false));
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(part).doesNotExist();
    }

    @Test
    void aWholePartIsAnswered416AndOnlyVerified() throws IOException {
        Files.createDirectories(part.getParent());
        Files.write(part, DATA);

        Result r = fetch(SHA.substring(0, 8), SHA);

        assertThat(ranges).containsExactly("bytes=" + DATA.length + "-");
        assertThat(r).isEqualTo(new Result(target, SHA, DATA.length, true));
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(progress).containsExactly(new Progress(DATA.length, DATA.length));
    }

    @Test
    void aPartLongerThanTheFileIsNotPartOfItAndTheDownloadStartsOver() throws IOException {
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(DATA, DATA.length + 10));

        Result r = fetch(null, SHA);

        assertThat(ranges).containsExactly("bytes=" + (DATA.length + 10) + "-", "");
        assertThat(r).isEqualTo(new Result(target, SHA, DATA.length, false));
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
    }

    @Test
    void anInterruptedDownloadStopsKeepingThePartAndResumesLater() throws Exception {
        behaviour = Behaviour.STALL_HALF_WAY;
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread downloading = new Thread(() -> {
            try {
                fetch(SHA.substring(0, 8), SHA);
            } catch (Throwable e) {
                thrown.set(e);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        downloading.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (progress.isEmpty() || progress.getLast().done() < DATA.length / 4) { // the server has sent half
            assertThat(System.nanoTime()).as("bytes arrive before the deadline").isLessThan(deadline);
            Thread.sleep(10);
        }
        downloading.interrupt();
        downloading.join(10_000);

        assertThat(downloading.isAlive()).as("the download stopped").isFalse();
        assertThat(thrown.get()).isInstanceOf(FoveaException.class);
        FoveaException e = (FoveaException) thrown.get();
        assertThat(e.code()).isEqualTo("interrupted");
        assertThat(e.getMessage()).contains(url(FILE).toString(), part.toString(), "the same command resumes");
        assertThat(stillInterrupted.get()).as("the interrupt flag is kept for the caller").isTrue();
        long kept = Files.size(part);
        assertThat(kept).isPositive();
        assertThat(Files.readAllBytes(part)).isEqualTo(Arrays.copyOf(DATA, (int) kept));
        assertThat(target).doesNotExist();

        unstall.countDown();
        behaviour = Behaviour.HONOUR_RANGES;
        Result r = fetch(SHA.substring(0, 8), SHA);

        assertThat(ranges.getLast()).isEqualTo("bytes=" + kept + "-");
        assertThat(r).isEqualTo(new Result(target, SHA, DATA.length, true));
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
    }

    @Test
    void http404IsNotFoundNamingTheUrl() {
        URI missing = url("/models/resnet19.pth");

        FoveaException e = failure(() -> DOWNLOAD.fetch(missing, target, null, null, null));

        assertThat(e.code()).isEqualTo("not_found");
        assertThat(e.getMessage()).contains(missing.toString(), "404");
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void anotherErrorStatusNamesTheStatusAndTheUrl() {
        URI busy = url("/busy.pth");

        FoveaException e = failure(() -> DOWNLOAD.fetch(busy, target, null, null, null));

        assertThat(e.code()).isEqualTo("download_failed");
        assertThat(e.getMessage()).contains(busy.toString(), "HTTP 503");
    }

    @Test
    void plainHttpToAnotherHostAndOtherSchemesAreRefusedWithoutConnecting() throws IOException {
        CountingClient client = new CountingClient();
        WeightsDownload download = new WeightsDownload(client);
        for (String refused : List.of("http://example.com/models/resnet18-f37072fd.pth", "ftp://127.0.0.1/resnet18.pth",
                "http://10.1.2.3/resnet18.pth", "http://127.0.0.1.example.com/resnet18.pth", "http://[::2]/resnet18.pth",
                "http://127.0.0.256/resnet18.pth", "file:///tmp/resnet18.pth", "models/resnet18.pth")) {
            FoveaException e = failure(() -> download.fetch(URI.create(refused), target, null, null, null));

            assertThat(e.code()).as(refused).isEqualTo("invalid");
            assertThat(e.getMessage()).as(refused).contains("'" + refused + "'");
        }
        assertThat(client.requests).as("requests sent").hasValue(0);
        try (var left = Files.list(dir)) {
            assertThat(left).as("nothing written").isEmpty();
        }
    }

    @Test
    void plainHttpToThisMachineIsAllowedInEverySpelling() {
        CountingClient client = new CountingClient();
        WeightsDownload download = new WeightsDownload(client);
        List<String> loopback = List.of("http://localhost:1/resnet18.pth", "http://LOCALHOST:1/resnet18.pth",
                "http://127.45.6.7:1/resnet18.pth", "http://[::1]:1/resnet18.pth");
        for (String allowed : loopback) {
            // Port 1 has no server: the request is sent and fails to connect, rather than being refused.
            FoveaException e = failure(() -> download.fetch(URI.create(allowed), target, null, null, null));

            assertThat(e.code()).as(allowed).isEqualTo("download_failed");
            assertThat(e.getMessage()).as(allowed).contains(allowed);
        }
        assertThat(client.requests).hasValue(loopback.size());
    }

    @Test
    void malformedHashesAreRefusedBeforeConnecting() {
        CountingClient client = new CountingClient();
        WeightsDownload download = new WeightsDownload(client);
        URI u = url(FILE);

        FoveaException prefix = failure(() -> download.fetch(u, target, "resnet", null, null));
        FoveaException shortSha = failure(() -> download.fetch(u, target, null, SHA.substring(1), null));
        FoveaException disagree = failure(() -> download.fetch(u, target, "0000", "f".repeat(64), null));

        assertThat(List.of(prefix.code(), shortSha.code(), disagree.code())).containsOnly("invalid");
        assertThat(prefix.getMessage()).contains("hash prefix 'resnet'", u.toString());
        assertThat(shortSha.getMessage()).contains("SHA-256 '" + SHA.substring(1) + "'", "64 hexadecimal digits");
        assertThat(disagree.getMessage()).contains("f".repeat(64), "prefix 0000");
        assertThat(client.requests).hasValue(0);
        assertThat(ranges).isEmpty();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real client that counts the requests sent through it. */
    static final class CountingClient extends HttpClient {
        final AtomicInteger requests = new AtomicInteger();
        private final HttpClient real = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        @Override public Optional<CookieHandler> cookieHandler() { return real.cookieHandler(); }
        @Override public Optional<Duration> connectTimeout() { return real.connectTimeout(); }
        @Override public Redirect followRedirects() { return real.followRedirects(); }
        @Override public Optional<ProxySelector> proxy() { return real.proxy(); }
        @Override public SSLContext sslContext() { return real.sslContext(); }
        @Override public SSLParameters sslParameters() { return real.sslParameters(); }
        @Override public Optional<Authenticator> authenticator() { return real.authenticator(); }
        @Override public Version version() { return real.version(); }
        @Override public Optional<Executor> executor() { return real.executor(); }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            requests.incrementAndGet();
            return real.send(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            requests.incrementAndGet();
            return real.sendAsync(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                HttpResponse.PushPromiseHandler<T> push) {
            requests.incrementAndGet();
            return real.sendAsync(request, handler, push);
        }
    }
}

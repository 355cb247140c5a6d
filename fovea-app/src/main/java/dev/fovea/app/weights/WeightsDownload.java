package dev.fovea.app.weights;

import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one published weights file (e.g. torchvision's resnet18-f37072fd.pth) to a path and checks its SHA-256.
 * This is the one place where Fovea opens a network connection of its own, so it is strict about where it goes:
 * https only, or plain http to this machine (a local mirror, a test server).
 *
 * <p>Bytes go to {@code target.part} as they arrive, so a download that stops (a dropped connection, Ctrl-C) is
 * picked up by the same call from where it stopped; only a verified file is ever moved to {@code target}.
 */
public final class WeightsDownload {
    /** How far a download is: {@code total} is -1 while the server has not said how long the file is. */
    public record Progress(long done, long total) {}

    /** A verified file: {@code resumed} when bytes from an earlier, interrupted call were kept. */
    public record Result(Path file, String sha256, long bytes, boolean resumed) {}

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** From sending the request to the response's headers; the body, 50-100 MB on a slow line, has no limit. */
    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK = 64 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private final HttpClient client;

    public WeightsDownload(HttpClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** A client that gives up connecting after 30 s and follows redirects, but never from https to http. */
    public static WeightsDownload standard() {
        return new WeightsDownload(HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    /**
     * Brings the file at {@code url} to {@code target}, resuming {@code target.part} when an earlier call left one.
     *
     * @param hashPrefix hex digits the file's SHA-256 must start with (torchvision's file names carry 8), or null
     * @param sha256 the file's whole SHA-256 in hex, or null
     * @param progress told at most every 64 KB and once at the end; may be null
     * @throws FoveaException {@code invalid} for a refused URL or a malformed hash, before connecting;
     *     {@code not_found} for HTTP 404; {@code download_failed} for other statuses and failed connections;
     *     {@code download_incomplete} or {@code interrupted} when the download stopped part way (the part is kept,
     *     the same call resumes it); {@code hash_mismatch} when the file is not the one expected (the part is deleted)
     * @throws UncheckedIOException when the local disk fails (full, not writable)
     */
    public Result fetch(URI url, Path target, String hashPrefix, String sha256, Consumer<Progress> progress) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(target, "target");
        requireAllowed(url, url);
        String prefix = hex("hash prefix", hashPrefix, url, 1);
        String whole = hex("SHA-256", sha256, url, 64);
        if (prefix != null && whole != null && !whole.startsWith(prefix)) {
            throw FoveaException.invalid("the SHA-256 " + whole + " given for " + url + " does not start with the hash"
                    + " prefix " + prefix + " also given; one of them is wrong");
        }
        Consumer<Progress> report = progress == null ? p -> {} : progress;
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            Path dir = target.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            boolean resumed = download(url, part, report, true);
            String actual = sha256(part);
            String expected = prefix != null && !actual.startsWith(prefix) ? "it to start with " + prefix
                    : whole != null && !actual.equals(whole) ? whole : null;
            if (expected != null) {
                // A wrong file is not worth resuming: the next call starts over. A file already at target (from
                // an earlier download) is left alone; this call only ever writes a verified file there.
                Files.deleteIfExists(part);
                throw new FoveaException("hash_mismatch", "the file at " + url + " has SHA-256 " + actual
                        + ", expected " + expected + "; the download was deleted and not saved to " + target);
            }
            long bytes = Files.size(part);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Result(target, actual, bytes, resumed);
        } catch (ClosedByInterruptException e) { // a file channel interrupted while writing or hashing
            Thread.currentThread().interrupt();
            throw new FoveaException("interrupted", "the download of " + url + " was interrupted; " + part
                    + " keeps what arrived and the same command resumes it", e);
        } catch (IOException e) { // the network's failures became FoveaExceptions already: this is the local disk
            throw new UncheckedIOException("could not write the download of " + url + " to " + part + ": "
                    + e.getMessage(), e);
        }
    }

    /** Brings {@code part} up to the whole file; returns whether bytes from an earlier call were kept. */
    private boolean download(URI url, Path part, Consumer<Progress> report, boolean mayRestart) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        if (have > 0) request.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> response = send(url, request.build(), part, have);
        try (InputStream body = response.body()) {
            // NORMAL redirects never go from https to http, but a local http mirror may send us to a remote http
            // host; nothing from there is saved.
            requireAllowed(url, response.uri());
            int status = response.statusCode();
            if (status == 416 && have > 0) {
                long total = response.headers().firstValue("Content-Range").map(UNSATISFIED_RANGE::matcher)
                        .filter(Matcher::matches).map(m -> Long.parseLong(m.group(1))).orElse(-1L);
                if (total == -1 || total == have) { // nothing left to send: the part is whole; the hash tells
                    report.accept(new Progress(have, have));
                    return true;
                }
                if (!mayRestart) {
                    throw new FoveaException("download_failed", url + " refused the range bytes=" + have + "- of a "
                            + total + "-byte file (HTTP 416)");
                }
                // The part is longer than the file, so it is not a piece of it: start over.
                body.close();
                Files.delete(part);
                return download(url, part, report, false);
            }
            if (status == 404) throw FoveaException.notFound("there is no file at " + url + " (HTTP 404)");
            if (status != 200 && status != 206) {
                throw new FoveaException("download_failed", url + " answered HTTP " + status + " instead of the file");
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long offset = 0;
            long total = length;
            if (status == 206) {
                String range = response.headers().firstValue("Content-Range").orElse("");
                Matcher m = CONTENT_RANGE.matcher(range);
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    throw new FoveaException("download_failed", url + " answered the range bytes=" + have
                            + "- with " + (range.isEmpty() ? "no Content-Range" : "Content-Range '" + range + "'"));
                }
                offset = have;
                total = !m.group(3).equals("*") ? Long.parseLong(m.group(3)) : length >= 0 ? have + length : -1;
            } // a 200 to a range request: the server ignores ranges and sends the whole file, so the part starts over
            copy(url, body, part, offset, total, report);
            return offset > 0;
        }
    }

    private void copy(URI url, InputStream body, Path part, long offset, long total, Consumer<Progress> report)
            throws IOException {
        OpenOption[] mode = offset > 0
                ? new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND}
                : new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING};
        long done = offset;
        long reported = offset;
        byte[] buffer = new byte[CHUNK];
        try (FileChannel out = FileChannel.open(part, mode)) {
            while (true) {
                if (Thread.currentThread().isInterrupted()) throw interrupted(url, part, done, total, null);
                int n;
                try {
                    n = body.read(buffer);
                } catch (IOException e) {
                    // The JDK's response stream answers an interrupted read with an IOException and the flag set.
                    if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw interrupted(url, part, done, total, e);
                    }
                    throw stopped(url, part, done, total, e);
                }
                if (n < 0) break;
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) out.write(bytes);
                done += n;
                if (done - reported >= CHUNK && done != total) {
                    report.accept(new Progress(done, total));
                    reported = done;
                }
            }
            out.force(false); // the part is renamed to the real file next; it must not be empty after a crash
        }
        if (total >= 0 && done < total) throw stopped(url, part, done, total, null);
        report.accept(new Progress(done, done));
    }

    private HttpResponse<InputStream> send(URI url, HttpRequest request, Path part, long have) {
        // Not HttpRequest.timeout: what it covers (headers only, or the body too) is the JDK's to change.
        CompletableFuture<HttpResponse<InputStream>> answer =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        try {
            return answer.get(HEADERS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw have > 0 ? interrupted(url, part, have, -1, e)
                    : new FoveaException("interrupted", "the download of " + url + " was interrupted before it began", e);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new FoveaException("download_failed", url + " did not answer within " + HEADERS_TIMEOUT.toSeconds()
                    + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof HttpConnectTimeoutException
                    ? "no connection within " + client.connectTimeout().orElse(CONNECT_TIMEOUT).toSeconds() + " s"
                    : cause.getMessage() != null && !cause.getMessage().isBlank() ? cause.getMessage()
                    : cause instanceof ConnectException ? "the connection was refused" : "the connection failed";
            throw new FoveaException("download_failed", "could not download " + url + ": " + why, cause);
        }
    }

    private static FoveaException stopped(URI url, Path part, long done, long total, IOException cause) {
        String why = cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
        return new FoveaException("download_incomplete", "the download of " + url + " stopped after "
                + bytes(done, total) + why + "; " + part + " keeps them and the same command resumes the download",
                cause);
    }

    private static FoveaException interrupted(URI url, Path part, long done, long total, Exception cause) {
        return new FoveaException("interrupted", "the download of " + url + " was interrupted after "
                + bytes(done, total) + "; " + part + " keeps them and the same command resumes the download", cause);
    }

    private static String bytes(long done, long total) {
        return total >= 0 ? done + " of " + total + " bytes" : done + " bytes";
    }

    /** Refuses, before any connection, every URL but https and plain http to a loopback address. */
    private static void requireAllowed(URI requested, URI url) {
        String via = requested.equals(url) ? "" : " (where " + requested + " redirected)";
        String host = url.getHost();
        if (!url.isAbsolute() || host == null || host.isEmpty()) {
            throw FoveaException.invalid("weights URL '" + url + "'" + via + " is not a URL with a host, such as"
                    + " https://download.pytorch.org/models/resnet18-f37072fd.pth");
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https") || scheme.equals("http") && loopback(host)) return;
        throw FoveaException.invalid("weights URL '" + url + "'" + via + " is refused: Fovea downloads over https,"
                + " or over plain http only from this machine (localhost, 127.x.x.x, [::1])");
    }

    /** Only literal addresses: a name that merely resolves to 127.0.0.1 is not trusted, and no DNS is asked. */
    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) return true;
        Matcher v4 = IPV4.matcher(host);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) if (Integer.parseInt(v4.group(i)) > 255) return false;
            return Integer.parseInt(v4.group(1)) == 127;
        }
        if (!host.startsWith("[") || !host.endsWith("]")) return false;
        try { // a bracketed IPv6 literal: parsed, never looked up
            return InetAddress.getByName(host.substring(1, host.length() - 1)).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The hex digits in lower case, or null for null; {@code invalid} when they are not hex of a fitting length. */
    private static String hex(String what, String value, URI url, int minLength) {
        if (value == null) return null;
        String digits = value.strip().toLowerCase(Locale.ROOT);
        if (!digits.matches("[0-9a-f]{" + minLength + ",64}")) {
            throw FoveaException.invalid("the " + what + " '" + value + "' given for " + url + " is not "
                    + (minLength == 64 ? "64" : "1 to 64") + " hexadecimal digits (0-9, a-f)");
        }
        return digits;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256, which every JDK must have", e);
        }
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) != -1; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

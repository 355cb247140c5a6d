package dev.fovea.bench;

import dev.fovea.bench.support.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The review benchmark's HTTP calls: JSON in and out, with a bearer token. */
final class ReviewApi {
    record Answer(int status, String body) {}

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String url;
    final String token;

    ReviewApi(String url, String token) {
        this.url = url;
        this.token = token;
    }

    Answer send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), r.body());
    }

    Map<String, Object> expect(int status, String method, String path, Object body) throws IOException, InterruptedException {
        Answer a = send(method, path, body);
        if (a.status() != status) {
            throw new IllegalStateException(method + " " + path + " answered " + a.status() + " (expected " + status + "): " + a.body());
        }
        return a.body().isBlank() ? Map.of() : map(a.body());
    }

    static Map<String, Object> map(String json) {
        return Json.readObject(json);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

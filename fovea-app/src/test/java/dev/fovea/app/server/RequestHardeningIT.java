package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fovea.core.account.Scope;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, part B: requests that are malformed, slow, oversized or sly, against a real server on a free port
 * with a real (tiny ONNX) model. Each test names the finding it covers.
 */
class RequestHardeningIT {
    static final Path MODELS = dev.fovea.app.cli.CliRunAccess.repoRoot().resolve("samples/models");
    static final long BODY_TIMEOUT_MS = 1500;
    @TempDir static Path dir;
    static TestServer t;
    static String admin, predict;
    static HttpServer images;
    static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        images = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        t = new TestServer(dir, Map.of("server.body_timeout_ms", Long.toString(BODY_TIMEOUT_MS),
                "serving.url_hosts", "127.0.0.1,localhost:" + images.getAddress().getPort()));
        admin = t.token("boss", Scope.ADMIN);
        predict = t.token("boss", Scope.PREDICT);
        t.storage.projects().create("clothes", List.of("t-shirt", "trouser", "bag", "sneaker"));
        HttpResponse<String> imported = t.send(t.request("/api/models/import?name=tiny&format=onnx&classes=t-shirt,trouser,bag,sneaker"
                        + "&input_size=28&project=clothes").header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(MODELS.resolve("tiny-cnn.onnx")))));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        HttpResponse<String> aliased = t.send(t.request("/api/models/tiny/aliases/production").header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"version\": 1}")));
        assertThat(aliased.statusCode()).as(aliased.body()).isBetween(200, 204);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_INT_RGB);
        png = ServingIT.png(img);
        images.createContext("/ok.png", exchange -> {
            exchange.sendResponseHeaders(200, png.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(png);
            }
        });
        images.createContext("/slow.png", exchange -> { // headers at once, then one byte a second for a minute
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 60; i++) {
                    out.write(png[i]);
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (Exception e) {
                // Fovea gave up and closed the connection, as it should
            }
        });
        images.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        images.start();
    }

    @AfterAll
    static void stop() {
        images.stop(0);
        t.close();
    }

    static HttpResponse<String> call(String method, String path, String token, String contentType, String body) {
        HttpRequest.Builder b = t.request(path).header("Authorization", "Bearer " + token);
        if (contentType != null) b.header("Content-Type", contentType);
        return t.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A raw HTTP/1.1 exchange, for what java.net.http refuses to send (a body shorter than its length). */
    /** {@code millis}: until the status line arrived. */
    record Raw(int status, String response, long millis) {}

    static Raw raw(String head, byte[] body, Duration readTimeout) throws Exception {
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", t.server.port())) {
            s.setSoTimeout((int) readTimeout.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long firstByte = -1;
            try {
                for (int n; (n = in.read(buf)) != -1; ) {
                    if (firstByte < 0) firstByte = System.nanoTime();
                    got.write(buf, 0, n);
                    if (complete(got.toString(StandardCharsets.ISO_8859_1))) break;
                }
            } catch (java.net.SocketTimeoutException e) {
                // what came so far is the answer; a missing status line fails below
            }
            String response = got.toString(StandardCharsets.ISO_8859_1);
            long ms = ((firstByte < 0 ? System.nanoTime() : firstByte) - start) / 1_000_000;
            int status = response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
            return new Raw(status, response, ms);
        }
    }

    private static boolean complete(String response) {
        int end = response.indexOf("\r\n\r\n");
        if (end < 0) return false;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(response.substring(0, end));
        return m.find() && response.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    // --- finding 8 -------------------------------------------------------------------------------------------

    @Test
    void aGetWithMethodOverrideDeleteDoesNotDeleteTheAlias_finding8() {
        HttpResponse<String> r = t.send(t.request("/api/models/tiny/aliases/production").header("Authorization", "Bearer " + admin)
                .header("X-HTTP-Method-Override", "DELETE").GET());
        assertThat(r.statusCode()).as(r.body()).isNotEqualTo(204).isGreaterThanOrEqualTo(400);
        assertThat(t.context.registry().store().aliases("tiny")).as("aliases of model tiny").containsKey("production");
        HttpResponse<String> post = t.send(t.request("/api/models/tiny/aliases/production").header("Authorization", "Bearer " + admin)
                .header("X-HTTP-Method-Override", "DELETE").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"version\": 1}")));
        assertThat(post.statusCode()).as("a PUT stays a PUT: " + post.body()).isBetween(200, 204);
        assertThat(t.context.registry().store().aliases("tiny")).containsKey("production");
    }

    // --- finding 9 -------------------------------------------------------------------------------------------

    static String fp32Request(String value) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 3 * 28 * 28; i++) data.append(i == 0 ? "" : ",").append(i == 7 ? value : "0.5");
        return "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,28,28],\"data\":[" + data + "]}]}";
    }

    @Test
    void nonFiniteFp32InputsAreRefusedNamingTheInput_finding9() {
        HttpResponse<String> fine = call("POST", "/v2/models/tiny/infer", predict, "application/json", fp32Request("0.25"));
        assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);
        HttpResponse<String> huge = call("POST", "/v2/models/tiny/infer", predict, "application/json", fp32Request("1e39"));
        assertThat(huge.statusCode()).as(huge.body()).isEqualTo(400);
        assertThat(ServingIT.json(huge).get("error").asText()).contains("input \"input\"", "value 7", "1.0E39");
        // NaN and infinities cannot be written in JSON, but they can in the binary tensor extension.
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            String json = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,28,28],"
                    + "\"parameters\":{\"binary_data_size\":" + 4 * 3 * 28 * 28 + "}}]}";
            ByteBuffer tensor = ByteBuffer.allocate(4 * 3 * 28 * 28).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 3 * 28 * 28; i++) tensor.putFloat(i == 11 ? bad : 0.5f);
            byte[] head = json.getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[head.length + tensor.capacity()];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(tensor.array(), 0, body, head.length, tensor.capacity());
            HttpResponse<String> r = t.send(t.request("/v2/models/tiny/infer").header("Authorization", "Bearer " + predict)
                    .header(InferenceRoutes.BINARY_HEADER, Integer.toString(head.length))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
            assertThat(ServingIT.json(r).get("error").asText()).contains("input \"input\"", "value 11", Float.toString(bad));
        }
    }

    // --- finding 10 -------------------------------------------------------------------------------------------

    /** A request whose one field has the wrong type, the field's name, and how the bad value reads in the message. */
    record WrongType(String method, String path, String body, String field, String value) {}

    @Test
    void everyJsonFieldIsTypeChecked400NamingTheFieldAndTheValue_finding10() {
        String image = "0".repeat(64), client = UUID.randomUUID().toString();
        List<WrongType> cases = List.of(
                new WrongType("POST", "/api/projects/clothes/reviews", "{\"client_id\":\"" + client + "\",\"image\":\"" + image
                        + "\",\"decision\":\"suitable\",\"class\":\"bag\",\"duration_ms\":\"abc\"}", "duration_ms", "\"abc\""),
                new WrongType("POST", "/api/projects/clothes/reviews", "{\"client_id\":\"" + client + "\",\"image\":\"" + image
                        + "\",\"decision\":\"suitable\",\"class\":7,\"duration_ms\":5}", "class", "7"),
                new WrongType("POST", "/api/projects/clothes/datasets", "{\"validation\":\"a\"}", "validation", "\"a\""),
                new WrongType("POST", "/api/projects/clothes/datasets", "{\"seed\":1.5}", "seed", "1.5"),
                new WrongType("POST", "/api/projects", "{\"name\":\"shoes\",\"classes\":[\"a\",2]}", "classes[1]", "2"),
                new WrongType("POST", "/api/projects", "{\"name\":5,\"classes\":[\"a\",\"b\"]}", "name", "5"),
                new WrongType("PUT", "/api/projects/clothes/review/settings", "{\"reviews_per_image\":\"2\"}", "reviews_per_image", "\"2\""),
                new WrongType("PUT", "/api/projects/clothes/review/settings", "{\"double_review_fraction\":true}", "double_review_fraction", "true"),
                new WrongType("PUT", "/api/projects/clothes/review/settings", "{\"class_keys\":{\"bag\":1}}", "class_keys.bag", "1"),
                new WrongType("POST", "/api/projects/clothes/reviewers", "{\"user\":\"helper\",\"hourly_rate\":\"12\"}", "hourly_rate", "\"12\""),
                new WrongType("POST", "/api/projects/clothes/reviewers/helper/exclude", "{\"excluded\":\"no\"}", "excluded", "\"no\""),
                new WrongType("PUT", "/api/models/tiny/aliases/staging", "{\"version\":\"1\"}", "version", "\"1\""),
                new WrongType("POST", "/api/models", "{\"run\":\"3\",\"name\":\"m\"}", "run", "\"3\""),
                new WrongType("POST", "/api/users", "{\"name\":[\"x\"]}", "name", "[\"x\"]"),
                new WrongType("POST", "/api/tokens", "{\"user\":\"boss\",\"scope\":false}", "scope", "false"),
                new WrongType("POST", "/api/projects/clothes/curation", "{\"action\":\"keep\",\"images\":[1]}", "images[0]", "1"),
                new WrongType("POST", "/v2/models/tiny/infer", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\","
                        + "\"shape\":[1,3,28,28],\"parameters\":{\"binary_data_size\":\"x\"}}]}", "binary_data_size", "\"x\""));
        for (WrongType c : cases) {
            HttpResponse<String> r = call(c.method(), c.path(), c.path().startsWith("/v2/") ? predict : admin, "application/json", c.body());
            String name = c.method() + " " + c.path() + " " + c.body();
            assertThat(r.statusCode()).as(name + " -> " + r.body()).isEqualTo(400);
            JsonNode error = ServingIT.json(r).get("error");
            String message = error.isTextual() ? error.asText() : error.get("message").asText();
            assertThat(message).as(name).contains("'" + c.field() + "'", c.value());
        }
        // Nothing was stored on the way: no dataset version, no review, no project, no alias.
        HttpResponse<String> versions = call("GET", "/api/projects/clothes/datasets", admin, null, null);
        assertThat(ServingIT.json(versions).get("versions")).as(versions.body()).isEmpty();
        assertThat(t.context.storage().projects().find("shoes")).isEmpty();
        assertThat(t.context.registry().store().aliases("tiny")).doesNotContainKey("staging");
    }

    // --- finding 11 ------------------------------------------------------------------------------------------

    @Test
    void anOversizedContentLengthIs413AtOnceOnEveryRouteBeforeCredentials_finding11() throws Exception {
        long over = t.context.settings().server().maxRequestBytes() + 1;
        for (String path : List.of("/api/projects/clothes/images", "/api/projects", "/api/login", "/v2/models/tiny/infer",
                "/customvision/v3.0/Prediction/" + UUID.randomUUID() + "/classify/iterations/production/image")) {
            Raw r = raw("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + over + "\r\n\r\n", new byte[0], Duration.ofSeconds(20));
            assertThat(r.status()).as(path + " without credentials: " + r.response()).isEqualTo(413);
            assertThat(r.millis()).as(path + " answered in ms: " + r.response()).isLessThan(BODY_TIMEOUT_MS);
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthTimesOutWith408_finding11() throws Exception {
        for (String path : List.of("/api/projects", "/api/projects/clothes/images", "/v2/models/tiny/infer")) {
            Raw r = raw("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin
                    + "\r\nContent-Type: application/json\r\nX-Filename: a.png\r\nContent-Length: 1000\r\n\r\n",
                    "{\"name\": \"cut".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(40));
            assertThat(r.status()).as(path + ": " + r.response()).isEqualTo(408);
            assertThat(r.response()).as(path).contains("server.body_timeout_ms");
            assertThat(r.millis()).as(path + " answered in ms").isBetween(BODY_TIMEOUT_MS - 100, BODY_TIMEOUT_MS + 5000);
        }
    }

    @Test
    void aMalformedMultipartBodyIs400_finding11() {
        String body = "--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n\r\nhalf a file and no closing boundary";
        HttpResponse<String> r = call("POST", "/api/projects/clothes/images", admin, "multipart/form-data; boundary=xyz", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(ServerSecurityIT.json(r).get("error").get("message").asText()).contains("multipart");
        HttpResponse<String> noBoundary = call("POST", "/api/projects/clothes/images", admin, "multipart/form-data; boundary=xyz", "nothing");
        assertThat(noBoundary.statusCode()).as(noBoundary.body()).isEqualTo(400);
    }

    // --- finding 15 ------------------------------------------------------------------------------------------

    static String urlRoute() {
        UUID project = t.storage.projects().require("clothes").id();
        return "/customvision/v3.0/Prediction/" + project + "/classify/iterations/production/url";
    }

    @Test
    void urlFetchesUseWebPortsUnlessTheSettingNamesThePort_finding15() {
        int port = images.getAddress().getPort();
        // 127.0.0.1 is listed without a port: only 80 and 443.
        HttpResponse<String> refused = call("POST", urlRoute(), predict, "application/json",
                "{\"url\": \"http://127.0.0.1:" + port + "/ok.png\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode error = ServingIT.json(refused);
        assertThat(error.get("code").asText()).isEqualTo("BadRequestImageUrl");
        assertThat(error.get("message").asText()).contains("port " + port, "serving.url_hosts");
        // localhost is listed with this port.
        HttpResponse<String> fetched = call("POST", urlRoute(), predict, "application/json",
                "{\"url\": \"http://localhost:" + port + "/ok.png\"}");
        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        assertThat(ServingIT.json(fetched).get("predictions")).hasSize(4);
    }

    @Test
    void aSlowImageHostIsGivenUpOnAfterTheTotalTimeout_finding15() {
        long start = System.nanoTime();
        HttpResponse<String> r = call("POST", urlRoute(), predict, "application/json",
                "{\"url\": \"http://localhost:" + images.getAddress().getPort() + "/slow.png\"}");
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(ServingIT.json(r).get("message").asText()).contains("longer than 15 s");
        assertThat(seconds).as("seconds until the answer (the host would trickle for 60)").isBetween(14L, 20L);
    }
}

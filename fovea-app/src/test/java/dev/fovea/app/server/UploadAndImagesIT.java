package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.project.Project;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads through the same checks as the CLI import, and images, thumbnails and originals read back. */
class UploadAndImagesIT {
    static final long LIMIT = 2_000_000;

    @TempDir Path dir;
    TestServer t;
    String admin;
    Project project;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of("server.max_request_bytes", Long.toString(LIMIT)));
        admin = t.token("boss", Scope.ADMIN);
        project = t.storage.projects().create("shots", List.of("cat", "dog"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private HttpResponse<String> raw(String name, byte[] bytes) {
        return t.send(t.request("/api/projects/shots/images").header("Authorization", "Bearer " + admin)
                .header("X-Filename", name).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    private static JsonNode json(HttpResponse<String> r) {
        return ServerSecurityIT.json(r);
    }

    private byte[] jpeg() {
        return encode(opaque(read(samplePngs("animals-nature", 1).get(0)), 200, 160), "jpeg");
    }

    @Test
    void aRealJpegIsCreatedOnceAndTheSameBytesAgainAreADuplicate() {
        byte[] jpeg = jpeg();
        HttpResponse<String> first = raw("cam1/0001.jpg", jpeg);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(json(first).get("id").asText()).isEqualTo(Sha256.hex(jpeg));
        assertThat(json(first).get("status").asText()).isEqualTo("created");
        HttpResponse<String> again = raw("0002.jpg", jpeg);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("status").asText()).isEqualTo("duplicate");
        assertThat(t.storage.images().count(project.id())).isEqualTo(1);
        // The file name is kept without client folders; the second name is a second source.
        assertThat(t.storage.images().sources(project.id(), Sha256.hex(jpeg))).extracting(s -> s.path())
                .containsExactly("0001.jpg", "0002.jpg");
    }

    @Test
    void badImagesAreRefusedWithTheImportReasonCodes() {
        HttpResponse<String> text = raw("notes.jpg", "meeting notes\n".getBytes(StandardCharsets.UTF_8));
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(json(text).get("error").get("code").asText()).isEqualTo("not_an_image");
        assertThat(json(text).get("error").get("message").asText()).contains("notes.jpg");

        HttpResponse<String> cut = raw("cut.png", truncate(encode(opaque(read(samplePngs("flags", 1).get(0)), 200, 200), "png"), 0.5));
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(json(cut).get("error").get("code").asText()).isEqualTo("truncated");

        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        HttpResponse<String> bomb = raw("bomb.png", pngClaiming(60_000, 60_000));
        assertThat(bomb.statusCode()).isEqualTo(400);
        assertThat(json(bomb).get("error").get("code").asText()).isEqualTo("too_many_pixels");
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThat(after - before).isLessThan(300L * 1024 * 1024); // 60,000^2 pixels would be over 10 GB

        byte[] heic = new byte[128];
        System.arraycopy(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'}, 0, heic, 0, 12);
        HttpResponse<String> unsupported = raw("phone.heic", heic);
        assertThat(unsupported.statusCode()).isEqualTo(415);
        assertThat(json(unsupported).get("error").get("code").asText()).isEqualTo("unsupported_format");

        assertThat(t.storage.images().count(project.id())).isZero();
        assertThat(t.storage.images().rejections(project.id())).extracting(r -> r.path())
                .contains("notes.jpg", "cut.png", "bomb.png", "phone.heic");
    }

    @Test
    void aBodyOverTheLimitIs413WithoutBeingRead() throws Exception {
        // Content-Length says 1 GB; the server must answer from the header, having read nothing of the body.
        try (Socket socket = new Socket("127.0.0.1", t.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/projects/shots/images HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + admin
                    + "\r\nX-Filename: huge.jpg\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            assertThat(in.readLine()).startsWith("HTTP/1.1 413");
        }
        // Without a Content-Length (chunked), the limit is enforced while streaming.
        try (Socket socket = new Socket("127.0.0.1", t.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/projects/shots/images HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + admin
                    + "\r\nX-Filename: huge.jpg\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            chunk[0] = (byte) 0xFF; chunk[1] = (byte) 0xD8; chunk[2] = (byte) 0xFF;
            try {
                for (int i = 0; i < 40; i++) { // 2.6 MB in all, over the 2 MB limit
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // the server may answer and close before the whole body is sent: that is the point
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            assertThat(in.readLine()).startsWith("HTTP/1.1 413");
        }
        // The server keeps serving.
        assertThat(raw("fine.jpg", jpeg()).statusCode()).isEqualTo(201);
    }

    @Test
    void multipartMixesGoodAndBadFilesAndReportsEach() {
        String boundary = "fovea-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "files", "good.jpg", jpeg());
        part(body, boundary, "files", "also-good.png", bytes(samplePngs("symbols", 1).get(0)));
        part(body, boundary, "files", "page.jpg", "<html><body>oops</body></html>".getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "files", "empty.png", new byte[0]);
        part(body, boundary, "files", "good-again.jpg", jpeg());
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = t.send(t.request("/api/projects/shots/images?label=cat")
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode results = json(r).get("results");
        assertThat(results).hasSize(5);
        assertThat(results.get(0).get("status").asText()).isEqualTo("created");
        assertThat(results.get(1).get("status").asText()).isEqualTo("created");
        assertThat(results.get(2).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(2).get("reason").asText()).isEqualTo("not_an_image");
        assertThat(results.get(3).get("reason").asText()).isEqualTo("empty");
        assertThat(results.get(4).get("status").asText()).isEqualTo("duplicate");
        assertThat(results.get(4).get("id").asText()).isEqualTo(results.get(0).get("id").asText());
        assertThat(t.storage.images().countByLabel(project.id())).containsEntry("cat", 2L);
    }

    private static void part(ByteArrayOutputStream body, String boundary, String field, String file, byte[] bytes) {
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + file
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(bytes);
        body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void uploadsToAMissingProjectOrWithAnUnknownLabelAreRefused() {
        HttpResponse<String> missing = t.send(t.request("/api/projects/nope/images").header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg())));
        assertThat(missing.statusCode()).isEqualTo(404);
        HttpResponse<String> label = t.send(t.request("/api/projects/shots/images?label=horse").header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg())));
        assertThat(label.statusCode()).isEqualTo(400);
        assertThat(json(label).get("error").get("message").asText()).contains("'horse' is not a class of project 'shots'");
    }

    @Test
    void imagesArePagedByTheDatabaseAndBlobsCarryETags() {
        List<Path> pngs = samplePngs("travel-places", 7);
        for (Path png : pngs) assertThat(raw(png.getFileName().toString(), bytes(png)).statusCode()).isEqualTo(201);
        // Listings and metadata are for admins; a reviewer of the project may fetch the pixels they review.
        t.context.reviews().addReviewer(t.storage.projects().require("shots"), "helper", 1000, "EUR");
        String review = t.token("helper", Scope.REVIEW);
        HttpResponse<String> page = t.send(t.request("/api/projects/shots/images?offset=2&limit=3")
                .header("Authorization", "Bearer " + admin).GET());
        JsonNode body = json(page);
        assertThat(body.get("total").asInt()).isEqualTo(7);
        assertThat(body.get("images")).hasSize(3);
        assertThat(body.get("images").get(0).get("id").asText()).isEqualTo(Sha256.hex(bytes(pngs.get(2))));

        String id = Sha256.hex(bytes(pngs.get(0)));
        HttpResponse<byte[]> original = t.sendBytes(t.request("/api/projects/shots/images/" + id + "/original")
                .header("Authorization", "Bearer " + review).GET());
        assertThat(original.statusCode()).isEqualTo(200);
        assertThat(original.body()).isEqualTo(bytes(pngs.get(0)));
        assertThat(original.headers().firstValue("Content-Type")).hasValue("image/png");
        String etag = original.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + id + "\"");
        HttpResponse<byte[]> notModified = t.sendBytes(t.request("/api/projects/shots/images/" + id + "/original")
                .header("Authorization", "Bearer " + review).header("If-None-Match", etag).GET());
        assertThat(notModified.statusCode()).isEqualTo(304);
        HttpResponse<byte[]> thumb = t.sendBytes(t.request("/api/projects/shots/images/" + id + "/thumbnail")
                .header("Authorization", "Bearer " + review).GET());
        assertThat(thumb.statusCode()).isEqualTo(200);
        assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(read(writeTemp(thumb.body())).getWidth()).isEqualTo(64);

        HttpResponse<String> one = t.send(t.request("/api/projects/shots/images/" + id).header("Authorization", "Bearer " + admin).GET());
        assertThat(json(one).get("sources").get(0).get("path").asText()).isEqualTo(pngs.get(0).getFileName().toString());
        HttpResponse<String> badId = t.send(t.request("/api/projects/shots/images/xyz").header("Authorization", "Bearer " + admin).GET());
        assertThat(badId.statusCode()).isEqualTo(400);
        HttpResponse<String> missing = t.send(t.request("/api/projects/shots/images/" + "a".repeat(64)).header("Authorization", "Bearer " + admin).GET());
        assertThat(missing.statusCode()).isEqualTo(404);
        HttpResponse<String> badLimit = t.send(t.request("/api/projects/shots/images?limit=100000").header("Authorization", "Bearer " + admin).GET());
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit).get("error").get("message").asText()).contains("'limit' = '100000'");
    }

    private Path writeTemp(byte[] bytes) {
        try {
            return java.nio.file.Files.write(dir.resolve("thumb-" + System.nanoTime() + ".jpg"), bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

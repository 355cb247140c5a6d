package dev.fovea.app.server;

import dev.fovea.core.FoveaException;
import dev.fovea.core.image.ImageRejectedException;
import dev.fovea.core.image.RejectReason;
import dev.fovea.core.imports.IngestOutcome;
import dev.fovea.core.project.Project;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/projects/{project}/images}: one raw image (file name in {@code X-Filename} or {@code ?filename=})
 * or multipart with several files. The same checks and reason codes as {@code fovea import}, through the same
 * {@code ImageIngest}. The request size limit is enforced from {@code Content-Length} before reading, and again
 * while streaming, so a huge body is refused without being held in memory.
 */
final class UploadRoute {
    private final ServerContext context;

    UploadRoute(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(new Route(HandlerType.POST, "/api/projects/{project}/images", Access.ADMIN,
                "Upload images: raw bytes (X-Filename header) or multipart; ?label=CLASS labels them", this::upload),
                new Route(HandlerType.POST, "/api/projects/{project}/imports", Access.ADMIN,
                        "Import a zip (raw body, X-Filename header) as `fovea import` does: folder names are labels; answers per file",
                        this::importZip));
    }

    private long maxRequest() {
        return context.settings().server().maxRequestBytes();
    }

    private void upload(Context ctx) throws IOException {
        Project project = context.storage().projects().require(ctx.pathParam("project"));
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxRequest()) {
            throw new FoveaException("too_large", "the request body of " + declared + " bytes is over the limit of "
                    + maxRequest() + " bytes (server.max_request_bytes)");
        }
        String label = ctx.queryParam("label");
        if (ctx.isMultipartFormData()) {
            multipart(ctx, project, label == null ? ctx.formParam("label") : label);
        } else {
            raw(ctx, project, label);
        }
    }

    private void raw(Context ctx, Project project, String label) throws IOException {
        String name = fileName(ctx.header("X-Filename") != null ? ctx.header("X-Filename") : ctx.queryParam("filename"));
        byte[] bytes = read(name, ctx.req().getInputStream());
        IngestOutcome outcome = context.ingest().ingest(project, name, bytes, blankToNull(label));
        if (outcome.status() == IngestOutcome.Status.REJECTED) {
            throw new FoveaException(outcome.rejection().reason().code(),
                    "'" + name + "' was not imported: " + outcome.rejection().message());
        }
        boolean created = outcome.status() == IngestOutcome.Status.CREATED;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", outcome.sha256());
        body.put("status", created ? "created" : "duplicate");
        ctx.status(created ? 201 : 200).json(body);
    }

    private void multipart(Context ctx, Project project, String label) {
        List<UploadedFile> files;
        try {
            files = ctx.uploadedFiles();
        } catch (IllegalStateException e) {
            throw new FoveaException("too_large", "the multipart request is over the limit of " + maxRequest()
                    + " bytes (server.max_request_bytes): " + e.getMessage());
        }
        if (files.isEmpty()) throw FoveaException.invalid("the multipart request holds no file parts");
        if (label != null && !label.isBlank() && !project.hasClass(label)) {
            throw FoveaException.invalid("label '" + label + "' is not a class of project '" + project.name() + "'");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (UploadedFile file : files) {
            String name = fileName(file.filename());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", name);
            try (InputStream in = file.content()) {
                IngestOutcome outcome = context.ingest().ingest(project, name, read(name, in), blankToNull(label));
                if (outcome.status() == IngestOutcome.Status.REJECTED) {
                    rejected(r, outcome.rejection().reason().code(), outcome.rejection().message());
                } else {
                    r.put("status", outcome.status() == IngestOutcome.Status.CREATED ? "created" : "duplicate");
                    r.put("id", outcome.sha256());
                }
            } catch (ImageRejectedException e) {
                rejected(r, e.code(), e.getMessage());
            } catch (IOException e) {
                rejected(r, RejectReason.CORRUPT.code(), "the part could not be read: " + e.getMessage());
            }
            results.add(r);
        }
        ctx.json(Map.of("results", results));
    }

    /**
     * A zip through the same {@code ImportService} as {@code fovea import} (folder names inside it are labels and
     * must be classes of the project). The body is written to a temporary file, within the request limit, and
     * deleted afterwards.
     */
    private void importZip(Context ctx) throws IOException {
        Project project = context.storage().projects().require(ctx.pathParam("project"));
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxRequest()) {
            throw new FoveaException("too_large", "the zip of " + declared + " bytes is over the limit of "
                    + maxRequest() + " bytes (server.max_request_bytes)");
        }
        String name = fileName(ctx.header("X-Filename") != null ? ctx.header("X-Filename") : ctx.queryParam("filename"));
        if (!name.toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) name = name + ".zip";
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fovea-upload-");
        java.nio.file.Path zip = dir.resolve(name);
        try {
            try (InputStream in = ctx.req().getInputStream(); var out = java.nio.file.Files.newOutputStream(zip)) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > maxRequest()) {
                        throw new FoveaException("too_large", "the zip '" + name + "' is over the limit of " + maxRequest()
                                + " bytes (server.max_request_bytes)");
                    }
                    out.write(buffer, 0, n);
                }
            }
            List<Map<String, Object>> results = new ArrayList<>();
            dev.fovea.core.imports.ImportResult result = context.imports().run(
                    new dev.fovea.core.imports.ImportRequest(zip, project.name(), Map.of(), false),
                    new dev.fovea.core.imports.ImportListener() {
                        @Override public void started(String projectName, int files) {}

                        @Override public void fileDone(IngestOutcome outcome, int done, int total) {
                            Map<String, Object> r = new LinkedHashMap<>();
                            r.put("file", outcome.path());
                            if (outcome.status() == IngestOutcome.Status.REJECTED) {
                                rejected(r, outcome.rejection().reason().code(), outcome.rejection().message());
                            } else {
                                r.put("status", outcome.status().word());
                                r.put("id", outcome.sha256());
                            }
                            results.add(r);
                        }
                    });
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("file", name);
            body.put("imported", result.imported());
            body.put("duplicates", result.duplicates());
            body.put("unchanged", result.unchanged());
            body.put("rejected", result.rejected().size());
            body.put("skipped", result.skipped());
            body.put("results", results);
            ctx.json(body);
        } finally {
            java.nio.file.Files.deleteIfExists(zip);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private static void rejected(Map<String, Object> r, String reason, String message) {
        r.put("status", "rejected");
        r.put("reason", reason);
        r.put("message", message);
    }

    private byte[] read(String name, InputStream in) throws IOException {
        long limit = Math.min(maxRequest(), context.settings().importLimits().maxFileBytes());
        return context.ingest().readLimited(name, in, limit,
                limit == maxRequest() ? "server.max_request_bytes" : "import.max_file_bytes");
    }

    /** The last path segment of a client-given name, without control characters; "upload" when none is given. */
    static String fileName(String given) {
        if (given == null || given.isBlank()) return "upload";
        String name = given.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) return "upload";
        return name.length() > 200 ? name.substring(name.length() - 200) : name;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

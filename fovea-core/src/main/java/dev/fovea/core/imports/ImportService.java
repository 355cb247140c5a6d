package dev.fovea.core.imports;

import dev.fovea.core.FoveaException;
import dev.fovea.core.image.ImageRejectedException;
import dev.fovea.core.image.RejectReason;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.project.ClassName;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Imports a folder tree or a zip into a project. Files are read, hashed, decoded and thumbnailed on
 * {@code limits.threads()} threads, and recorded in path order on the calling thread, with at most a few files
 * per thread in flight so that memory stays bounded whatever the size of the import. Every unusable file is
 * recorded as a rejection and the import goes on.
 */
public final class ImportService {
    private final ProjectStore projects;
    private final ImageIngest ingest;

    public ImportService(ProjectStore projects, ImageIngest ingest) {
        this.projects = projects;
        this.ingest = ingest;
    }

    public ImportResult run(ImportRequest request, ImportListener listener) {
        long started = System.nanoTime();
        CandidateFinder.Found found = CandidateFinder.find(request.root());
        try (AutoCloseable ignored = found.resource()) {
            List<Candidate> candidates = found.candidates();
            Project project = projectFor(request, labelsOf(candidates, request));
            listener.started(project.name(), candidates.size());
            return importAll(project, candidates, found.skipped(), request, listener, started);
        } catch (FoveaException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("import of '" + request.root() + "' failed: " + e.getMessage(), e);
        }
    }

    private ImportResult importAll(Project project, List<Candidate> candidates, int skipped, ImportRequest request,
            ImportListener listener, long started) throws InterruptedException {
        int threads = ingest.limits().threads();
        int window = threads * 4;
        List<Rejection> rejected = new ArrayList<>();
        int imported = 0, duplicates = 0, unchanged = 0, done = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fovea-import");
            t.setDaemon(true);
            return t;
        });
        try {
            Deque<Future<ImageIngest.Prepared>> inFlight = new ArrayDeque<>();
            Deque<String> labels = new ArrayDeque<>();
            int next = 0;
            while (next < candidates.size() || !inFlight.isEmpty()) {
                while (next < candidates.size() && inFlight.size() < window) {
                    Candidate c = candidates.get(next++);
                    String label = labelFor(c, request);
                    labels.add(label == null ? "" : label);
                    inFlight.add(pool.submit(() -> prepare(project, c, label)));
                }
                ImageIngest.Prepared prepared = await(inFlight.poll());
                String label = labels.poll();
                IngestOutcome outcome = ingest.commit(project, prepared, label.isEmpty() ? null : label);
                switch (outcome.status()) {
                    case CREATED -> imported++;
                    case DUPLICATE -> duplicates++;
                    case UNCHANGED -> unchanged++;
                    case REJECTED -> rejected.add(outcome.rejection());
                }
                listener.fileDone(outcome, ++done, candidates.size());
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> paths = new HashSet<>();
        candidates.forEach(c -> paths.add(c.path()));
        List<String> csvWithoutFile = request.csvLabels().keySet().stream().filter(p -> !paths.contains(p)).sorted().toList();
        return new ImportResult(project.name(), imported, duplicates, unchanged, skipped, rejected, csvWithoutFile,
                Duration.ofNanos(System.nanoTime() - started), ingest.timings().snapshot());
    }

    private ImageIngest.Prepared prepare(Project project, Candidate c, String label) {
        if (c.unsafe() != null) {
            return new ImageIngest.Prepared(c.path(), null, null, null,
                    ingest.rejection(c.path(), RejectReason.UNSAFE_PATH, "not read: " + c.unsafe()));
        }
        try {
            byte[] bytes = ingest.readLimited(c.path(), c.opener().open());
            while (true) {
                try {
                    return ingest.prepare(project.id(), c.path(), bytes, label);
                } catch (dev.fovea.core.Overloaded busy) {
                    // The decode budget's wait limit is for HTTP callers; an import waits its turn however long.
                }
            }
        } catch (ImageRejectedException e) {
            return new ImageIngest.Prepared(c.path(), null, null, null, ingest.rejection(c.path(), e.reason(), e.getMessage()));
        } catch (IOException e) {
            return new ImageIngest.Prepared(c.path(), null, null, null,
                    ingest.rejection(c.path(), RejectReason.CORRUPT, "the file cannot be read: " + e.getMessage()));
        }
    }

    private static ImageIngest.Prepared await(Future<ImageIngest.Prepared> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    private static String labelFor(Candidate c, ImportRequest request) {
        if (!request.csvLabels().isEmpty()) return request.csvLabels().get(c.path());
        return c.folderLabel();
    }

    /** The labels in use: in CSV order with a CSV (the order a person wrote), else in path order. */
    private static Set<String> labelsOf(List<Candidate> candidates, ImportRequest request) {
        Set<String> labels = new LinkedHashSet<>();
        if (!request.csvLabels().isEmpty()) {
            Set<String> found = new HashSet<>();
            candidates.stream().filter(c -> c.unsafe() == null).forEach(c -> found.add(c.path()));
            request.csvLabels().forEach((path, label) -> {
                if (label != null && found.contains(path)) labels.add(label);
            });
            return labels;
        }
        for (Candidate c : candidates) {
            String label = labelFor(c, request);
            if (label != null && c.unsafe() == null) labels.add(label);
        }
        return labels;
    }

    /** Finds (or, with {@code create}, makes) the project, and checks every label names one of its classes. */
    private Project projectFor(ImportRequest request, Set<String> labels) {
        for (String label : labels) {
            try {
                ClassName.check(label);
            } catch (FoveaException e) {
                throw FoveaException.invalid("cannot use '" + label + "' from " + request.root().getFileName() + " as a class: "
                        + e.getMessage());
            }
        }
        var existing = projects.find(request.project());
        if (existing.isEmpty()) {
            if (!request.create()) {
                throw FoveaException.notFound("project '" + request.project() + "' does not exist; create it with "
                        + "`fovea project create " + request.project() + " --classes ...` or import with --create");
            }
            return projects.create(request.project(), List.copyOf(labels));
        }
        Project project = existing.get();
        List<String> unknown = labels.stream().filter(l -> !project.hasClass(l)).toList();
        if (unknown.isEmpty()) return project;
        if (request.create()) return projects.addClasses(project.name(), unknown);
        throw FoveaException.invalid("labels '" + String.join("', '", unknown) + "' in " + request.root().getFileName()
                + " are not classes of project '"
                + project.name() + "' (classes: " + String.join(", ", project.classes())
                + "); add them with --create or fix the folder names" + (request.csvLabels().isEmpty() ? "" : " or CSV"));
    }
}

package dev.fovea.core.imports;

/** Told about an import's progress, in file order, on the importing thread. */
public interface ImportListener {
    void started(String project, int files);

    void fileDone(IngestOutcome outcome, int done, int total);

    ImportListener NONE = new ImportListener() {
        @Override public void started(String project, int files) {}
        @Override public void fileDone(IngestOutcome outcome, int done, int total) {}
    };
}

package dev.fovea.core.imports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CandidateFinderTest {
    @TempDir Path dir;

    @Test
    void zipLabelsComeFromTheFolderBelowOneCommonTopFolder() throws Exception {
        Path zip = zip("export/cat/1.jpg", "export/dog/2.jpg", "export/loose.jpg", "export/.DS_Store",
                "__MACOSX/export/cat/._1.jpg");
        CandidateFinder.Found found = CandidateFinder.find(zip);
        try (AutoCloseable ignored = found.resource()) {
            assertThat(found.candidates()).extracting(Candidate::path)
                    .containsExactly("export/cat/1.jpg", "export/dog/2.jpg", "export/loose.jpg");
            assertThat(found.candidates()).extracting(Candidate::folderLabel).containsExactly("cat", "dog", null);
            assertThat(found.skipped()).isEqualTo(2);
        }
    }

    @Test
    void zipEntriesClimbingOutAreMarkedUnsafeAndNeverOpened() throws Exception {
        Path zip = zip("cat/1.jpg", "../../etc/evil.jpg", "/abs/evil.jpg", "cat/../../evil.jpg");
        CandidateFinder.Found found = CandidateFinder.find(zip);
        try (AutoCloseable ignored = found.resource()) {
            assertThat(found.candidates()).filteredOn(c -> c.unsafe() != null).extracting(Candidate::path)
                    .containsExactlyInAnyOrder("../../etc/evil.jpg", "/abs/evil.jpg", "cat/../../evil.jpg");
            assertThat(found.candidates()).filteredOn(c -> c.unsafe() != null).allMatch(c -> c.opener() == null);
        }
    }

    @Test
    void symlinksLeadingOutOfTheFolderAreUnsafe() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root/cat"));
        Path outside = Files.writeString(dir.resolve("secret.txt"), "secret");
        Files.writeString(root.resolve("ok.jpg"), "x");
        Files.createSymbolicLink(root.resolve("link.jpg"), outside);
        Files.createSymbolicLink(root.resolve("inside.jpg"), root.resolve("ok.jpg"));
        CandidateFinder.Found found = CandidateFinder.find(dir.resolve("root"));
        assertThat(found.candidates()).extracting(Candidate::path)
                .containsExactly("cat/inside.jpg", "cat/link.jpg", "cat/ok.jpg");
        assertThat(found.candidates().get(1).unsafe()).contains("leading out of the imported folder");
        assertThat(found.candidates().get(0).unsafe()).isNull();
    }

    private Path zip(String... names) throws IOException {
        Path zip = dir.resolve("in.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (String name : names) {
                z.putNextEntry(new ZipEntry(name));
                z.write(name.getBytes());
                z.closeEntry();
            }
        }
        return zip;
    }
}

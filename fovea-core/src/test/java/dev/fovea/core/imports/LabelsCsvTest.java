package dev.fovea.core.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsCsvTest {
    @TempDir Path dir;

    private Path csv(String content) throws IOException {
        return Files.writeString(dir.resolve("labels.csv"), content);
    }

    @Test
    void readsQuotedFieldsAnyColumnOrderAndWindowsLineEnds() throws IOException {
        Map<String, String> labels = LabelsCsv.read(csv(
                "\uFEFFlabel,path,score\r\ncat,a.jpg,0.9\r\n\"dog, small\",\"b \"\"quoted\"\".png\",1\r\ncat,./c\\d.jpg,1\r\n"));
        assertThat(labels).containsExactly(Map.entry("a.jpg", "cat"), Map.entry("b \"quoted\".png", "dog, small"),
                Map.entry("c/d.jpg", "cat"));
    }

    @Test
    void missingHeaderNamesTheFirstRow() throws IOException {
        Path file = csv("a.jpg,cat\n");
        assertThatThrownBy(() -> LabelsCsv.read(file)).isInstanceOf(FoveaException.class)
                .hasMessageContaining("header row").hasMessageContaining("[a.jpg, cat]");
    }

    @Test
    void twoLabelsForOnePathIsAnError() throws IOException {
        Path file = csv("path,label\na.jpg,cat\na.jpg,dog\n");
        assertThatThrownBy(() -> LabelsCsv.read(file)).hasMessageContaining("'a.jpg' two labels");
    }

    @Test
    void shortRowNamesItsNumber() throws IOException {
        Path file = csv("path,label\na.jpg\n");
        assertThatThrownBy(() -> LabelsCsv.read(file)).hasMessageContaining("row 2");
    }
}

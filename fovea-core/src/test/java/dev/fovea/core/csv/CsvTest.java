package dev.fovea.core.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void cellsAreQuotedOnlyWhenTheyMustBe() {
        assertThat(Csv.cell("plain-name_1.png")).isEqualTo("plain-name_1.png");
        assertThat(Csv.cell("with space")).isEqualTo("with space");
        assertThat(Csv.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(Csv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(Csv.cell("cr\r")).isEqualTo("\"cr\r\"");
        assertThat(Csv.cell(null)).isEmpty();
        assertThat(Csv.row(List.of("a", "b,c", ""))).isEqualTo("a,\"b,c\",");
    }

    @Test
    void whatIsWrittenReadsBackTheSame() {
        List<String> cells = List.of("x", "a,b", "say \"hi\"", "two\nlines", "", "é✓");
        String text = Csv.row(cells) + "\n" + Csv.row(List.of("second", "row")) + "\n";
        assertThat(Csv.parse(new StringReader(text))).containsExactly(cells, List.of("second", "row"));
    }

    @Test
    void readsCrLfEmptyCellsAndALastLineWithoutBreak() {
        assertThat(Csv.parse(new StringReader("path,label\r\na.png,\r\n,cat"))).containsExactly(
                List.of("path", "label"), List.of("a.png", ""), List.of("", "cat"));
        assertThat(Csv.parse(new StringReader(""))).isEmpty();
        assertThat(Csv.fields("a,\"b\"\"c\",")).containsExactly("a", "b\"c", "");
        assertThat(Csv.fields("")).containsExactly("");
    }
}

package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Finding 2 of issue 15, checked in the sources: pages insert data as text, never as markup, and have no inline
 * script or handler attributes (the Content-Security-Policy would block them). The one allowed HTML sink is the
 * review criteria, which the server renders from Markdown with raw HTML escaped.
 */
class WebAssetsTest {
    static final Path WEB = Path.of("src/main/resources/web");
    static final Pattern HTML_SINK = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function\\(");
    static final String CRITERIA_SINK = "document.getElementById('criteria').innerHTML = overview.criteria_html;";

    @Test
    void finding2NoScriptInsertsMarkupExceptTheServerRenderedCriteria() throws IOException {
        List<String> sinks = new ArrayList<>();
        try (Stream<Path> files = Files.list(WEB.resolve("assets"))) {
            for (Path js : files.filter(f -> f.toString().endsWith(".js")).sorted().toList()) {
                List<String> lines = Files.readAllLines(js);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (HTML_SINK.matcher(line).find() && !line.equals(CRITERIA_SINK)) {
                        sinks.add(js.getFileName() + ":" + (i + 1) + ": " + line);
                    }
                }
            }
        }
        assertThat(sinks).as("places that insert HTML into a page").isEmpty();
        assertThat(Files.readString(WEB.resolve("assets/review.js"))).contains(CRITERIA_SINK); // the check still looks at the right line
    }

    @Test
    void finding2PagesHaveNoInlineScriptStyleOrHandlers() throws IOException {
        try (Stream<Path> files = Files.list(WEB)) {
            List<Path> pages = files.filter(f -> f.toString().endsWith(".html")).sorted().toList();
            assertThat(pages).hasSizeGreaterThanOrEqualTo(5);
            for (Path page : pages) {
                String html = Files.readString(page);
                assertThat(html).as(page.toString()).doesNotContainPattern("<script(?![^>]*\\bsrc=)")
                        .doesNotContainPattern("\\son[a-z]+\\s*=").doesNotContainPattern("\\sstyle\\s*=")
                        .doesNotContainPattern("<style").doesNotContainPattern("javascript:");
            }
        }
    }
}

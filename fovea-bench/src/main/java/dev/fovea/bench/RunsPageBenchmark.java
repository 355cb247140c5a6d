package dev.fovea.bench;

import dev.fovea.core.blob.Sha256;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.store.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The runs page at 100, 1,000 and 10,000 runs (bench/runs-page.sh): {@code --seed N} tops a workspace's project up
 * to N runs through the store (each with 10 params, 4 metrics over 10 epochs and 2 results, as a training run
 * records them), before the server starts on it; {@code --url} then times, in headless Chromium, the page's first
 * render (navigation start to the rows on screen, as the page reports it) and a sort by a metric's best value (the
 * click to the sorted rows on screen), each repeated.
 */
@Command(name = "runs-page-benchmark", mixinStandardHelpOptions = true)
public final class RunsPageBenchmark implements Callable<Integer> {
    @Option(names = "--seed", description = "Top the project up to this many runs (with --workspace), then exit") int seed;
    @Option(names = "--workspace") Path workspace;
    @Option(names = "--project", defaultValue = "bench") String project;
    @Option(names = "--url") String url;
    @Option(names = "--user", defaultValue = "bench") String user;
    @Option(names = "--password") String password;
    @Option(names = "--repeats", defaultValue = "10") int repeats;
    @Option(names = "--label", defaultValue = "") String label;
    @Option(names = "--chromium", defaultValue = "/usr/bin/chromium") String chromium;
    @Option(names = "--chromedriver", defaultValue = "/usr/bin/chromedriver") String chromedriver;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RunsPageBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (seed > 0) return seedRuns();
        return measure();
    }

    private int seedRuns() {
        try (Storage s = Storage.embedded(workspace, Clock.systemUTC())) {
            Project p = s.projects().find(project).orElseGet(() -> s.projects().create(project, List.of("a", "b", "c")));
            int have = (int) s.runs().search(new dev.fovea.core.run.RunQuery(p.id(), null, null, null, null, null,
                    List.of(), null, 1, 0)).total();
            String hash = Sha256.hex("bench".getBytes(StandardCharsets.UTF_8));
            long started = System.nanoTime();
            for (int i = have; i < seed; i++) {
                Map<String, String> params = new LinkedHashMap<>();
                params.put("model", i % 4 == 0 ? "resnet18" : "small-cnn");
                params.put("lr", Double.toString(0.0001 * (1 + (i * 37) % 300)));
                params.put("optimizer", i % 3 == 0 ? "sgd" : "adamw");
                params.put("batch_size", Integer.toString(16 << (i % 4)));
                params.put("epochs", "10");
                params.put("weight_decay", Double.toString(1e-5 * (1 + i % 50)));
                params.put("label_smoothing", Double.toString((i % 20) / 100.0));
                params.put("augment", i % 2 == 0 ? "none" : "light");
                params.put("input_size", "28");
                params.put("seed", Integer.toString(i));
                Instant at = Instant.now();
                Run r = s.runs().create(new NewRun(p.id(), 1, hash, params, Map.of("project", project, "host", "bench"),
                        i % 25 == 0 ? List.of("baseline") : List.of(), null, at));
                double peak = ((i * 7919L) % 10_000) / 10_000.0;
                List<MetricPoint> points = new ArrayList<>();
                for (int e = 1; e <= 10; e++) {
                    double acc = peak * (1 - Math.abs(e - 7) / 10.0);
                    points.add(new MetricPoint("val_accuracy", e * 100L, e, acc, at));
                    points.add(new MetricPoint("val_loss", e * 100L, e, 2 - acc, at));
                    points.add(new MetricPoint("epoch_train_loss", e * 100L, e, 2.2 - acc, at));
                    points.add(new MetricPoint("epoch_seconds", e * 100L, e, 5 + (i % 7), at));
                }
                s.runs().addMetrics(r.id(), points);
                s.runs().putSummary(r.id(), Map.of("test_accuracy", peak * 0.97, "best_epoch", 7.0));
            }
            System.out.printf(Locale.ROOT, "seeded %d runs (now %d) in %.1f s%n", Math.max(0, seed - have), Math.max(seed, have),
                    (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    private int measure() throws Exception {
        Path profile = Files.createTempDirectory("runs-page-profile");
        ChromeDriver driver = dev.fovea.bench.support.Chromium.start(chromium, chromedriver, profile);
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            driver.get(url + "/login");
            driver.findElement(By.id("user")).sendKeys(user);
            driver.findElement(By.id("password")).sendKeys(password);
            driver.findElement(By.id("login-button")).click();
            wait.until(d -> d.getCurrentUrl().equals(url + "/"));
            List<Double> first = new ArrayList<>(), sort = new ArrayList<>();
            String total = "";
            for (int k = 0; k <= repeats; k++) { // the first round warms the server and the browser's cache up
                driver.get(url + "/runs?project=" + project);
                wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
                double render = Double.parseDouble(driver.findElement(By.tagName("body")).getDomAttribute("data-loaded-ms"));
                total = driver.findElement(By.id("page-info")).getText();
                Object t0 = driver.executeScript("const t = performance.now();"
                        + " document.querySelector(\"th[data-column='metrics.val_accuracy'] button.sort\").click(); return t;");
                wait.until(d -> d.getCurrentUrl().contains("sort=metrics.val_accuracy")
                        && "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
                double sorted = Double.parseDouble(driver.findElement(By.tagName("body")).getDomAttribute("data-loaded-ms"))
                        - ((Number) t0).doubleValue();
                if (k > 0) {
                    first.add(render);
                    sort.add(sorted);
                }
            }
            System.out.printf(Locale.ROOT, "%-8s %-22s first render median %6.0f ms (p90 %6.0f)   sort by val_accuracy median %6.0f ms (p90 %6.0f)%n",
                    label, total, median(first), p90(first), median(sort), p90(sort));
        } finally {
            driver.quit();
        }
        return 0;
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.isEmpty() ? Double.NaN : s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static double p90(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.isEmpty() ? Double.NaN : s.get(Math.min(s.size() - 1, (int) Math.ceil(0.9 * s.size()) - 1));
    }
}

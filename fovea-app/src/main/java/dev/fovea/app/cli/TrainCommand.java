package dev.fovea.app.cli;

import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunAnnotations;
import dev.fovea.app.views.RunViews;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingDefaults;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.dataset.DatasetVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

@Command(name = "train", sortOptions = false, description = {
        "Train a classifier on a dataset version and record the run (settings, metrics, model, test "
                + "evaluation).",
        "Every training setting is a flag (--lr 0.01) and a key of --config FILE.yaml (lr: "
                + "0.01); flags win; settings given neither way are chosen from the dataset version's images (input "
                + "size, network, epochs, batch, augmentation, early stopping, class weights; each printed with its reason) or keep "
                + "their defaults: arch (small-cnn|resnet18|resnet34|resnet50|mobilenet-v2), input_size, epochs, "
                + "batch_size, optimizer (sgd|adam|adamw), lr, momentum, nesterov, weight_decay, schedule "
                + "(cosine|step|constant), warmup_epochs, label_smoothing, class_weights (none|balanced), augment "
                + "(none|light|medium|strong), early_stopping_patience, seed, cnn_channels, cnn_blocks, cnn_convs, step_every, "
                + "step_gamma, loader_threads, threads (0: all cores), checkpoint_seconds (30: write the state to "
                + "resume from after the first epoch 30 s after the last; 0: every epoch), freeze_epochs, finetune_lr_factor, mean and std "
                + "(R,G,B; ImageNet's by default), from (transfer learning with a new head: weights:NAME, published "
                + "weights installed with fovea weights, whose architecture, input size, mean and std the run takes "
                + "unless it sets them; run:ID; model:NAME@ALIAS; or a TorchScript backbone FILE.pt mapping "
                + "[N,3,S,S] to [N,features]; the pretrained part is frozen for freeze_epochs, then fine-tuned at lr "
                + "x finetune_lr_factor).",
        "--resume RUN carries on a killed run from its last checkpoint with the run's own settings.",
        "--queue records the run and puts it on the queue for the workers (fovea worker) instead of training here: "
                + "it prints the run id at once; fovea runs wait RUN waits for it."},
        footerHeading = "%nExamples:%n", footer = {
        "  # settings not given are chosen from the data and printed with a reason; without --dataset, the",
        "  # latest version, frozen anew first when labels changed",
        "  fovea train --project birds",
        "  fovea train --project birds --dataset 1",
        "  fovea train --project birds --dataset 1 --fixed-defaults   # Fovea's fixed defaults instead",
        "  fovea train --project birds --dataset 1 --arch resnet18 --epochs 10 \\",
        "      --lr 0.001 --tag baseline",
        "  # settings from a file; flags win over it",
        "  fovea train --project birds --dataset 1 --config train.yaml --batch-size 64",
        "  # transfer learning from ImageNet weights (fovea weights fetch torchvision:resnet18 first)",
        "  fovea train --project birds --dataset 2 --from weights:resnet18-imagenet --freeze-epochs 2 \\",
        "      --input-size 128",
        "  # transfer learning from run 7, or from a TorchScript backbone",
        "  fovea train --project birds --dataset 2 --from run:7 --freeze-epochs 2",
        "  fovea train --project birds --dataset 2 --from backbone.pt",
        "  fovea train --resume 7",
        "  # let a worker train it; wait for it",
        "  fovea --db jdbc:postgresql://lab/fovea train --project birds --dataset 1 --queue",
        "  fovea --db jdbc:postgresql://lab/fovea runs wait 12"})
final class TrainCommand extends FoveaSubcommand {
    @Option(names = "--project", paramLabel = "NAME") String project;
    @Option(names = "--dataset", paramLabel = "N", description = "Dataset version (fovea dataset freeze); without it, "
            + "the latest, frozen anew first when the labels changed since") Integer dataset;
    @Option(names = "--fixed-defaults", description = "Settings not given keep Fovea's fixed defaults instead of being "
            + "chosen from the data (input size, network, epochs, batch, augmentation, early stopping, class weights)")
    boolean fixedDefaults;
    @Option(names = "--config", paramLabel = "FILE.yaml", description = "Training settings as a YAML map") Path config;
    @Option(names = "--tag", paramLabel = "TAG", description = "Tag the run (repeatable)") List<String> tags = new ArrayList<>();
    @Option(names = "--resume", paramLabel = "RUN", description = "Resume a killed or failed run") Long resume;
    @Option(names = "--queue", description = "Queue the run for the workers and print its id; train nothing here")
    boolean queue;
    @Mixin JsonOption json;
    @Unmatched List<String> settingFlags = new ArrayList<>();

    @Override
    public Integer call() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (config != null) overrides.putAll(readConfig(root.cwd().resolve(config)));
        overrides.putAll(flags(settingFlags));
        String from = overrides.get("from");
        if (from != null && !from.isBlank() && !from.contains(":")) {
            overrides.put("from", root.cwd().resolve(from).toAbsolutePath().normalize().toString()); // runs record where it came from
        }
        TrainingService service = root.services().training();
        TrainingService.Outcome outcome;
        if (resume != null) {
            if (queue) throw FoveaException.invalid("--queue and --resume do not go together: a queued run resumes by itself on another worker");
            if (project != null || dataset != null) {
                throw FoveaException.invalid("--resume takes the project and dataset from run " + resume + "; drop --project/--dataset");
            }
            if (fixedDefaults) throw FoveaException.invalid("--fixed-defaults does not go with --resume: a resume keeps the run's settings");
            outcome = service.resume(resume, overrides, new TrainingProgress(output));
            report(output, outcome, json.on(), List.of());
            return 0;
        }
        if (project == null) {
            throw FoveaException.invalid("fovea train needs --project NAME (and --dataset N, or the labels are frozen"
                    + " into a new version first when they changed), or --resume RUN");
        }
        Project p = root.storage().projects().require(project);
        int version = dataset != null ? dataset : freezeIfChanged(p);
        TrainingService.ChosenSettings run = fixedDefaults ? new TrainingService.ChosenSettings(service.settings(overrides), List.of())
                : service.withChoices(p, version, overrides, root.services().weights().backbone().orElse(null));
        List<TrainingDefaults.Choice> chosen = run.choices();
        printChoices(output, "Chosen from the data (give a flag or a --config key to set any of them):", chosen);
        TrainSettings settings = run.settings();
        if (queue) return queue(service, p, version, settings, overrides.get("from"), chosen);
        outcome = service.train(p, version, settings, RunAnnotations.checkTags(tags), null, new TrainingProgress(output));
        report(output, outcome, json.on(), chosen);
        return 0;
    }

    /**
     * The latest dataset version when the labels a freeze would take are those it holds; else a new version, split
     * as the latest was (or 10% validation, 10% test, seed 42 for the first).
     */
    private int freezeIfChanged(Project p) {
        DatasetService datasets = root.services().datasets();
        List<DatasetVersion> versions = datasets.versions(p);
        DatasetVersion last = versions.isEmpty() ? null : versions.get(versions.size() - 1);
        DatasetService.Frozen f = last == null ? datasets.freeze(p, 0.1, 0.1, 42)
                : datasets.freeze(p, last.validationFraction(), last.testFraction(), last.seed());
        int n = f.version().number();
        if (!f.created()) {
            output.info("Dataset version " + n + ": the labels are as they were when it was frozen.");
        } else {
            output.info("Dataset version " + n + " frozen first (" + f.version().images() + " images): "
                    + (last == null ? "the project had none" : "the labels changed since version " + last.number()) + ".");
        }
        return n;
    }

    private int queue(TrainingService service, Project p, int version, TrainSettings settings, String from,
            List<TrainingDefaults.Choice> chosen) {
        if (from != null && !from.isBlank() && !from.contains(":")) {
            throw FoveaException.invalid("--queue: a worker on another computer cannot read the backbone file '" + from
                    + "' of this one; use --from run:ID, --from model:REF (a registered model) or --from weights:NAME (installed published weights) instead");
        }
        Run run = service.queue(p, version, settings, RunAnnotations.checkTags(tags));
        root.storage().runQueue().enqueue(run.id());
        if (json.on()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("run", run.id());
            doc.put("status", run.status().word());
            doc.put("dataset", version);
            doc.put("chosen", chosenJson(chosen));
            output.document(doc);
        } else {
            output.text("Run " + run.id() + " queued for the workers.");
            output.info("Next: fovea runs wait " + run.id() + " (a worker trains it: fovea worker on any computer)");
        }
        return 0;
    }

    static void report(Output output, TrainingService.Outcome o, boolean json, List<TrainingDefaults.Choice> chosen) {
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("run", o.run().id());
            doc.put("status", o.run().status().word());
            doc.put("dataset", o.run().datasetVersion());
            doc.put("chosen", chosenJson(chosen));
            doc.put("test", o.test() == null ? null : RunViews.json(o.test()));
            doc.put("summary", o.run().summary());
            doc.put("params", o.run().params());
            output.document(doc);
            return;
        }
        Map<String, Double> s = o.run().summary();
        output.text(String.format(Locale.ROOT, "Run %d %s: best epoch %d of %d, %.1f s, %.0f images/s", o.run().id(),
                o.run().status().word(), s.getOrDefault("best_epoch", 0.0).intValue(),
                s.getOrDefault("epochs_run", 0.0).intValue(), s.getOrDefault("train_seconds", 0.0),
                s.getOrDefault("images_per_second", 0.0)));
        Evaluation t = o.test();
        if (t == null) {
            output.text("No test images in this dataset version: nothing to evaluate.");
            return;
        }
        output.text(String.format(Locale.ROOT, "Test accuracy %.4f on %d images (macro F1 %.4f)", t.accuracy(), t.n(), t.macroF1()));
        output.text(t.table());
        output.info("Next: fovea runs show " + o.run().id() + ", fovea evaluate " + o.run().id()
                + " --baseline OTHER.csv, fovea predict --run " + o.run().id() + " FOLDER --csv OUT.csv");
    }

    /** The chosen settings, one a line under {@code heading} on standard error, as the flag that would set each. */
    static void printChoices(Output output, String heading, List<TrainingDefaults.Choice> chosen) {
        if (chosen.isEmpty()) return;
        output.info(heading);
        for (TrainingDefaults.Choice c : chosen) {
            output.info(String.format(Locale.ROOT, "  --%-22s %s", c.key().replace('_', '-') + " " + c.value(), c.reason()));
        }
    }

    /** The chosen settings as {@code --json} lists them: key, value (as the run records it) and reason. */
    private static List<Map<String, String>> chosenJson(List<TrainingDefaults.Choice> chosen) {
        List<Map<String, String>> out = new ArrayList<>();
        for (TrainingDefaults.Choice c : chosen) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("key", c.key());
            m.put("value", c.value());
            m.put("reason", c.reason());
            out.add(m);
        }
        return out;
    }

    /** Setting flags: {@code --key value} or {@code --key=value}, dashes or underscores. */
    static Map<String, String> flags(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<String> it = args.iterator();
        while (it.hasNext()) {
            String a = it.next();
            if (!a.startsWith("--")) throw FoveaException.invalid("unexpected argument '" + a + "'");
            String key = a.substring(2), value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (it.hasNext()) {
                value = it.next();
            } else {
                throw FoveaException.invalid("setting --" + key + " has no value");
            }
            key = key.replace('-', '_');
            if (!TrainSettings.KEYS.contains(key)) {
                throw FoveaException.invalid("unknown option or training setting '" + a + "'; settings: "
                        + String.join(", ", TrainSettings.KEYS));
            }
            out.put(key, value);
        }
        return out;
    }

    static Map<String, String> readConfig(Path file) {
        JsonNode node;
        try {
            node = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw FoveaException.notFound("training config " + file + " does not exist");
        } catch (IOException e) {
            throw FoveaException.invalid("training config " + file + " is not readable YAML: " + e.getMessage());
        }
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw FoveaException.invalid("training config " + file + " must be a map of settings (lr: 0.01)");
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : node.properties()) {
            if (e.getValue().isContainerNode()) {
                throw FoveaException.invalid("training config " + file + ": setting '" + e.getKey() + "' must be a single value");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}

package dev.fovea.app.cli;

import dev.fovea.app.views.Json;
import dev.fovea.app.weights.TorchvisionWeights;
import dev.fovea.app.weights.WeightsDownload;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.weights.PublishedWeights;
import dev.fovea.core.weights.WeightsService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "weights", description = {
        "Published weights (ImageNet and others) for transfer learning: read from PyTorch state dicts (.pth/.pt) "
                + "and .safetensors files into Fovea's resnet18, resnet34, resnet50 and mobilenet-v2, and stored so "
                + "that every worker can train from them (fovea train --from weights:NAME).",
        "fetch is the only command that opens a connection to the internet, and only to the URL it is given."},
        footerHeading = "%nExamples:%n", footer = {
        "  # on a machine with internet: download, check the hash, install",
        "  fovea weights fetch torchvision:resnet18",
        "  # on a machine without: copy the file over, then",
        "  fovea weights import resnet18-f37072fd.pth --arch resnet18 --name resnet18-imagenet",
        "  fovea train --project birds --dataset 1 --from weights:resnet18-imagenet --input-size 128"},
        subcommands = {WeightsCommand.Import.class, WeightsCommand.Fetch.class, WeightsCommand.ListWeights.class,
                WeightsCommand.Show.class, WeightsCommand.Remove.class})
final class WeightsCommand {
    private WeightsCommand() {}

    /** The options both import and fetch take: what the weights were trained with, and --partial. */
    static final class InstallOptions {
        @Option(names = "--partial", description = "Load the tensors that fit and report the rest (for example a "
                + "1,000-class head) instead of refusing the file") boolean partial;
        @Option(names = "--input-size", paramLabel = "S", description = "The input size the weights were trained at "
                + "(default 224); a run from them uses it unless it sets input_size") Integer inputSize;
        @Option(names = "--mean", paramLabel = "R,G,B", description = "Channel means (default ImageNet's 0.485,0.456,0.406)")
        String mean;
        @Option(names = "--std", paramLabel = "R,G,B", description = "Channel stds (default ImageNet's 0.229,0.224,0.225)")
        String std;

        Preprocessing preprocessing() {
            int size = inputSize == null ? 224 : inputSize;
            Preprocessing imagenet = Preprocessing.imagenet(size);
            try {
                return new Preprocessing(size, mean == null ? imagenet.mean() : Preprocessing.parseFloats(mean),
                        std == null ? imagenet.std() : Preprocessing.parseFloats(std));
            } catch (NumberFormatException e) {
                throw FoveaException.invalid("--mean '" + mean + "' / --std '" + std + "' must be three numbers R,G,B");
            }
        }
    }

    @Command(name = "import", description = "Install a weights file (a PyTorch state dict as torch.save writes it, "
            + "or a .safetensors file) under a name, after checking every tensor's name and shape against --arch.",
            footerHeading = "%nExamples:%n", footer = {
            "  fovea weights import resnet18-f37072fd.pth --arch resnet18 --name resnet18-imagenet",
            "  # timm's weights for the same network, trained at 288 px with other statistics",
            "  fovea weights import model.safetensors --arch resnet50 --name r50-timm \\",
            "      --input-size 288 --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5",
            "  # a file whose head does not fit (or that has extra tensors): load the rest, list what was skipped",
            "  fovea weights import ckpt.pth --arch resnet18 --name mine --partial --json"})
    static final class Import extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "FILE") Path file;
        @Option(names = "--arch", required = true, paramLabel = "ARCH", description = "resnet18, resnet34, resnet50 or mobilenet-v2")
        String arch;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Mixin InstallOptions install;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Path f = root.cwd().resolve(file);
            PublishedWeights w = root.services().weights().install(f, name, arch, install.partial, install.preprocessing(),
                    f.getFileName().toString());
            report(output, w, json.on());
            return 0;
        }
    }

    @Command(name = "fetch", description = {
            "Download published weights over HTTPS, check them against the SHA-256 prefix in the file name (and "
                    + "the whole SHA-256 with --sha256), and install them. An interrupted download resumes where it "
                    + "stopped when the same command runs again. SOURCE is torchvision:ARCH (" + TorchvisionWeights.IDS
                    + ": torchvision's ImageNet weights, installed as ARCH-imagenet; setting weights.torchvision_url "
                    + "names a mirror of torchvision's files) or an https URL with --arch."},
            footerHeading = "%nExamples:%n", footer = {
            "  fovea weights fetch torchvision:resnet18",
            "  fovea weights fetch torchvision:mobilenet_v2 --name mnv2",
            "  # any URL whose file name ends in -HASHPREFIX.pth, or give the whole hash",
            "  fovea weights fetch https://example.org/models/net-1a2b3c4d.pth --arch resnet50 --name net"})
    static final class Fetch extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "SOURCE") String source;
        @Option(names = "--name", paramLabel = "NAME", description = "Install under this name (torchvision:ARCH: ARCH-imagenet)")
        String name;
        @Option(names = "--arch", paramLabel = "ARCH", description = "The network of a URL's weights") String arch;
        @Option(names = "--sha256", paramLabel = "HEX", description = "The file's whole SHA-256, checked too") String sha256;
        @Mixin InstallOptions install;
        @Mixin JsonOption json;

        @Override
        public Integer call() throws InterruptedException {
            TorchvisionWeights.Source s = TorchvisionWeights.resolve(source, arch,
                    root.settings().values().get("weights.torchvision_url"));
            String installAs = name != null ? name : s.defaultName();
            if (installAs == null) throw FoveaException.invalid("fetch " + source + " needs --name NAME to install it under");
            WeightsService weights = root.services().weights();
            weights.checkFree(installAs);
            if (s.hashPrefix() == null && sha256 == null) {
                throw FoveaException.invalid("URL " + s.url() + " has no SHA-256 prefix in its file name (NAME-1a2b3c4d.pth);"
                        + " give its hash with --sha256 HEX so that the download can be checked");
            }
            Path dir = root.settings().cache().resolve("downloads");
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw FoveaException.invalid("cannot create the download folder " + dir + ": " + e.getMessage());
            }
            Path target = dir.resolve(s.fileName());
            DownloadProgress progress = new DownloadProgress(output, s.url().toString());
            WeightsDownload.Result r = WeightsDownload.standard().fetch(s.url(), target, s.hashPrefix(),
                    sha256 == null ? null : sha256.trim().toLowerCase(Locale.ROOT), progress);
            progress.done(r);
            PublishedWeights w = weights.install(r.file(), installAs, s.arch(), install.partial, install.preprocessing(),
                    s.url().toString());
            report(output, w, json.on());
            return 0;
        }
    }

    @Command(name = "list", description = "Installed weights: name, architecture, tensors, head, input size.")
    static final class ListWeights extends FoveaSubcommand {
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            List<PublishedWeights> all = root.services().weights().list();
            if (json.on()) {
                output.document(Json.object("weights", all.stream().map(WeightsCommand::full).toList()));
                return 0;
            }
            if (all.isEmpty()) output.info("No weights installed (fovea weights fetch torchvision:resnet18, or fovea weights import FILE)");
            for (PublishedWeights w : all) {
                output.text(String.format(Locale.ROOT, "%-28s %-13s %4d tensors  head %-5s input %d  %s", w.name(), w.arch(),
                        w.tensors(), w.headClasses() == 0 ? "none" : Integer.toString(w.headClasses()),
                        w.preprocessing().inputSize(), w.source()));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One installed set of weights: where it came from, its hash, what was skipped.")
    static final class Show extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            PublishedWeights w = root.services().weights().require(name);
            if (json.on()) {
                output.document(full(w));
                return 0;
            }
            output.text(w.name() + ": " + w.arch() + ", " + w.tensors() + " tensors, head "
                    + (w.headClasses() == 0 ? "not loaded" : w.headClasses() + " classes") + ", input "
                    + w.preprocessing().inputSize() + " px, mean " + Preprocessing.floats(w.preprocessing().mean())
                    + ", std " + Preprocessing.floats(w.preprocessing().std()));
            output.text("  from " + w.source() + " (" + w.fileFormat() + ", " + w.fileBytes() + " bytes, sha256 "
                    + w.fileSha256() + "), installed " + w.createdAt());
            for (String s : w.skipped()) output.text("  skipped " + s);
            output.text("  train from it: fovea train --project P --dataset N --from weights:" + w.name());
            return 0;
        }
    }

    @Command(name = "remove", description = "Uninstall weights by name (runs trained from them keep their own models).")
    static final class Remove extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            if (!root.services().weights().remove(name)) throw FoveaException.notFound("weights '" + name + "' are not installed");
            if (json.on()) output.document(Json.object("removed", name));
            else output.text("Removed weights " + name);
            return 0;
        }
    }

    /** What import and fetch print: the --json shape scripts rely on, or a sentence and what was skipped. */
    static void report(Output output, PublishedWeights w, boolean json) {
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("name", w.name());
            doc.put("arch", w.arch());
            doc.put("tensors", w.tensors());
            doc.put("skipped", w.skipped());
            doc.put("input_size", w.preprocessing().inputSize());
            doc.put("mean", floats(w.preprocessing().mean()));
            doc.put("std", floats(w.preprocessing().std()));
            output.document(doc);
            return;
        }
        output.text("Installed weights " + w.name() + ": " + w.arch() + ", " + w.tensors() + " tensors"
                + (w.skipped().isEmpty() ? "" : ", " + w.skipped().size() + " skipped") + ", input "
                + w.preprocessing().inputSize() + " px");
        for (String s : w.skipped()) output.info("  skipped " + s);
        output.info("Next: fovea train --project P --dataset N --from weights:" + w.name());
    }

    private static Map<String, Object> full(PublishedWeights w) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", w.name());
        doc.put("arch", w.arch());
        doc.put("tensors", w.tensors());
        doc.put("skipped", w.skipped());
        doc.put("head_classes", w.headClasses());
        doc.put("input_size", w.preprocessing().inputSize());
        doc.put("mean", floats(w.preprocessing().mean()));
        doc.put("std", floats(w.preprocessing().std()));
        doc.put("source", w.source());
        doc.put("file_sha256", w.fileSha256());
        doc.put("file_bytes", w.fileBytes());
        doc.put("file_format", w.fileFormat());
        doc.put("created_at", w.createdAt().toString());
        return doc;
    }

    private static List<Double> floats(float[] v) {
        // As the user wrote them: 0.485, not the float's 0.48500001430511475
        return java.util.stream.IntStream.range(0, v.length).mapToObj(i -> Double.parseDouble(Float.toString(v[i]))).toList();
    }

    /** Download progress on stderr: redrawn in place on a terminal, a line every 10% otherwise, nothing for --json. */
    static final class DownloadProgress implements java.util.function.Consumer<WeightsDownload.Progress> {
        private final Output output;
        private final String url;
        private long lastDraw;
        private int lastTenth = -1;

        DownloadProgress(Output output, String url) {
            this.output = output;
            this.url = url;
            if (!quiet()) output.err().println("Downloading " + url);
        }

        private boolean quiet() {
            return output.json() && !output.terminal();
        }

        @Override
        public void accept(WeightsDownload.Progress p) {
            if (quiet()) return;
            String mb = String.format(Locale.ROOT, "%.1f", p.done() / 1e6);
            if (p.total() <= 0) {
                if (output.terminal() && System.nanoTime() - lastDraw > 200_000_000L) {
                    output.err().print("\r  " + mb + " MB");
                    lastDraw = System.nanoTime();
                }
                return;
            }
            int percent = (int) (100 * p.done() / p.total());
            if (output.terminal()) {
                if (System.nanoTime() - lastDraw < 100_000_000L && p.done() < p.total()) return;
                int filled = percent * 30 / 100;
                output.err().print("\r  [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + percent + "%  " + mb
                        + String.format(Locale.ROOT, " / %.1f MB", p.total() / 1e6));
                lastDraw = System.nanoTime();
            } else if (percent / 10 > lastTenth) {
                lastTenth = percent / 10;
                output.err().println("  " + percent + "%  " + mb + " MB");
            }
        }

        void done(WeightsDownload.Result r) {
            if (quiet()) return;
            if (output.terminal()) output.err().println();
            output.err().println("  " + r.bytes() + " bytes" + (r.resumed() ? " (resumed)" : "") + ", sha256 " + r.sha256());
        }
    }
}

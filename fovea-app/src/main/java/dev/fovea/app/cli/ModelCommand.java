package dev.fovea.app.cli;

import dev.fovea.app.views.ModelViews;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.project.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "model", description = "The model registry: numbered versions from runs or files, aliases, one-file export and import.",
        subcommands = {ModelCommand.Register.class, ModelCommand.ListModels.class, ModelCommand.Show.class,
                ModelCommand.Alias.class, ModelCommand.Unalias.class, ModelCommand.Export.class, ModelCommand.Import.class})
final class ModelCommand {
    @Command(name = "register", description = "Make a new numbered version of a model from a finished run.")
    static final class Register extends FoveaSubcommand {
        @Option(names = "--run", required = true, paramLabel = "RUN") long run;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Option(names = "--description", paramLabel = "TEXT") String description;
        @Option(names = "--alias", paramLabel = "ALIAS", description = "Also point this alias at the new version (e.g. production)") String alias;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            RegistryService r = root.services().registry();
            ModelVersion v = r.register(run, name, description);
            if (alias != null) r.alias(name, alias, v.version());
            report(output, v, r.store(), json.on());
            return 0;
        }
    }

    static void report(Output output, ModelVersion v, ModelStore store, boolean json) {
        if (json) {
            output.document(ModelViews.json(v, store));
            return;
        }
        output.text("Model " + v.label() + " (" + v.format() + ", " + v.classes().size() + " classes, "
                + v.bundleBytes() + " bytes" + (v.runId() == null ? "" : ", from run " + v.runId()) + ")"
                + (ModelViews.json(v, store).get("aliases") instanceof java.util.List<?> l && !l.isEmpty() ? " aliases " + l : ""));
    }

    @Command(name = "list", description = "Registered models with their versions and aliases.")
    static final class ListModels extends FoveaSubcommand {
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            ModelStore store = root.services().registry().store();
            if (json.on()) {
                output.document(Map.of("models", store.names().stream().map(n -> ModelViews.json(n, store)).toList()));
                return 0;
            }
            if (store.names().isEmpty()) output.text("No models yet (fovea model register --run RUN --name NAME).");
            for (String n : store.names()) {
                output.text(String.format("%-24s %d versions  aliases %s", n, store.versions(n).size(), store.aliases(n)));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One model (all versions) or one version (NAME:VERSION, NAME@ALIAS).")
    static final class Show extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME[@ALIAS|:VERSION]") String ref;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            RegistryService r = root.services().registry();
            if (!ref.contains(":") && !ref.contains("@")) {
                Map<String, Object> doc = ModelViews.json(ref, r.store());
                if (json.on()) output.document(doc);
                else r.store().versions(ref).forEach(v -> report(output, v, r.store(), false));
                return 0;
            }
            ModelVersion v = r.resolve(RegistryService.Reference.parse(ref));
            if (!v.format().equals("tensorflow")) {
                report(output, v, r.store(), json.on());
                return 0;
            }
            // A SavedModel: which signature, input and output are served, and how pixels are scaled
            Map<String, String> settings = r.bundle(v).settings();
            Map<String, Object> serving = new java.util.LinkedHashMap<>();
            for (String key : List.of("signature", "input", "output", "scale")) serving.put(key, settings.get(key));
            if (json.on()) {
                Map<String, Object> doc = new java.util.LinkedHashMap<>(ModelViews.json(v, r.store()));
                doc.put("serving", serving);
                output.document(doc);
            } else {
                report(output, v, r.store(), false);
                output.text("  signature '" + serving.get("signature") + "': input '" + serving.get("input")
                        + "' (n x S x S x 3, pixels " + serving.get("scale") + "), output '" + serving.get("output") + "'");
            }
            return 0;
        }
    }

    @Command(name = "alias", description = "Point an alias (production, staging, any name) at a version; servers switch within a second.")
    static final class Alias extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ALIAS") String alias;
        @Parameters(index = "2", paramLabel = "VERSION") int version;

        @Override
        public Integer call() {
            root.services().registry().alias(name, alias, version);
            output.text("Model " + name + ": " + alias + " -> " + version);
            return 0;
        }
    }

    @Command(name = "unalias", description = "Remove an alias.")
    static final class Unalias extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ALIAS") String alias;

        @Override
        public Integer call() {
            if (!root.services().registry().removeAlias(name, alias)) throw FoveaException.notFound("model '" + name + "' has no alias '" + alias + "'");
            output.text("Model " + name + ": alias " + alias + " removed");
            return 0;
        }
    }

    @Command(name = "export", description = "Write a version as one self-contained file (weights, classes, preprocessing, provenance).")
    static final class Export extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME[@ALIAS|:VERSION]") String ref;
        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE") Path file;

        @Override
        public Integer call() {
            RegistryService r = root.services().registry();
            ModelVersion v = r.resolve(RegistryService.Reference.parse(ref));
            try {
                Files.write(root.cwd().resolve(file), r.export(v));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
            output.info("Wrote model " + v.label() + " to " + file);
            return 0;
        }
    }

    @Command(name = "import", description = {
        "Register a model file as a new version: a Fovea export, or a model trained elsewhere (--format "
                + "torchscript|onnx with --classes and --input-size; mean/std default to ImageNet's).",
        "--format tensorflow takes a SavedModel folder (what Keras model.export() and tf.saved_model.save write) or a"
                + " zip of one, run by TensorFlow's Java API: input n x S x S x 3 (channels last), pixels scaled as "
                + "--scale says (0-1 default, 0-255, -1..1, mean-std with --mean/--std), signature serving_default "
                + "unless --signature names another.",
        "--format state-dict takes a PyTorch state dict (.pth/.pt as torch.save writes it, or .safetensors) of a "
                + "torchvision resnet18, resnet34, resnet50 or mobilenet-v2 with its head (--arch, --classes, "
                + "--input-size): it becomes a Fovea network that resizes images as torchvision's Resize((S, S)) does "
                + "on PIL images (antialiased bilinear), so it predicts what PyTorch predicted."},
            footerHeading = "%nExamples:%n", footer = {
            "  fovea model import birds.fovea-model --name birds --project birds",
            "  fovea model import net.onnx --format onnx --classes wren,robin,jay \\",
            "      --input-size 224 --name ext --project birds",
            "  fovea model import exported/ --format tensorflow --classes wren,robin,jay \\",
            "      --input-size 224 --scale 0-255 --name keras --project birds",
            "  fovea model import birds.pth --format state-dict --arch resnet18 \\",
            "      --classes wren,robin,jay --input-size 224 --name birds-pt --project birds",
            "  fovea model import net.pt --format torchscript --classes cat,dog \\",
            "      --input-size 224 --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5 \\",
            "      --name pets --project pets"})
    static final class Import extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "FILE") Path file;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Option(names = "--project", required = true, paramLabel = "PROJECT") String project;
        @Option(names = "--format", paramLabel = "FORMAT", description = "fovea (default), torchscript, onnx, tensorflow or state-dict") String format;
        @Option(names = "--scale", paramLabel = "0-1|0-255|-1..1|mean-std", description = "With --format tensorflow: the pixel values the model takes (default 0-1)") String scale;
        @Option(names = "--signature", paramLabel = "NAME", description = "With --format tensorflow: the signature to serve (default serving_default)") String signature;
        @Option(names = "--arch", paramLabel = "ARCH", description = "With --format state-dict: resnet18, resnet34, resnet50 or mobilenet-v2") String arch;
        @Option(names = "--classes", paramLabel = "A,B,...", description = "Class names in the model's output order") String classes;
        @Option(names = "--input-size", paramLabel = "S") String inputSize;
        @Option(names = "--mean", paramLabel = "R,G,B") String mean;
        @Option(names = "--std", paramLabel = "R,G,B") String std;
        @Option(names = "--outputs", paramLabel = "logits|probabilities") String outputs;
        @Option(names = "--description", paramLabel = "TEXT") String description;
        @Option(names = "--alias", paramLabel = "ALIAS") String alias;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            if ("state-dict".equals(format)) return importStateDict();
            if ("tensorflow".equals(format)) {
                if (classes == null || inputSize == null) throw FoveaException.invalid("--format tensorflow needs --classes and --input-size");
                return register(ModelBundle.tensorflow(savedModelZip(root.cwd().resolve(file)), classes, inputSize, scale,
                        mean, std, outputs, signature));
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(root.cwd().resolve(file));
            } catch (NoSuchFileException e) {
                throw FoveaException.notFound("model file " + file + " does not exist");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            ModelBundle bundle;
            if (format == null || format.equals("fovea")) {
                bundle = ModelBundle.fromZip(bytes, file.toString());
            } else {
                if (classes == null || inputSize == null) {
                    throw FoveaException.invalid("--format " + format + " needs --classes and --input-size");
                }
                bundle = ModelBundle.ofFile(format, bytes, classes, inputSize, mean, std, outputs);
            }
            return register(bundle);
        }

        /** A SavedModel folder zipped (its contents at the top), or a zip file as it is. */
        private static byte[] savedModelZip(Path path) {
            if (!Files.exists(path)) throw FoveaException.notFound("SavedModel " + path + " does not exist");
            try {
                if (!Files.isDirectory(path)) return Files.readAllBytes(path);
                if (!Files.isRegularFile(path.resolve("saved_model.pb"))) {
                    throw FoveaException.invalid("folder " + path + " is not a TensorFlow SavedModel: it has no saved_model.pb");
                }
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes);
                        java.util.stream.Stream<Path> walk = Files.walk(path)) {
                    for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                        zip.putNextEntry(new java.util.zip.ZipEntry(path.relativize(p).toString().replace('\\', '/')));
                        Files.copy(p, zip);
                        zip.closeEntry();
                    }
                }
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read SavedModel " + path + ": " + e.getMessage(), e);
            }
        }

        private int importStateDict() {
            if (arch == null || classes == null || inputSize == null) {
                throw FoveaException.invalid("--format state-dict needs --arch, --classes and --input-size");
            }
            if (outputs != null) throw FoveaException.invalid("--outputs does not apply to a state dict: its network ends in logits");
            int size;
            try {
                size = Integer.parseInt(inputSize.strip());
            } catch (NumberFormatException e) {
                throw FoveaException.invalid("--input-size '" + inputSize + "' is not a number");
            }
            Preprocessing imagenet = Preprocessing.imagenet(size);
            Preprocessing pre;
            try {
                pre = new Preprocessing(size, mean == null ? imagenet.mean() : Preprocessing.parseFloats(mean),
                        std == null ? imagenet.std() : Preprocessing.parseFloats(std), Preprocessing.ANTIALIASED);
            } catch (NumberFormatException e) {
                throw FoveaException.invalid("--mean '" + mean + "' / --std '" + std + "' must be three numbers R,G,B");
            }
            Project p = root.storage().projects().require(project); // before reading a large file
            return register(root.services().weights().stateDictModel(root.cwd().resolve(file), arch,
                    dev.fovea.core.project.ClassName.parseList(classes), pre));
        }

        private int register(ModelBundle bundle) {
            Project p = root.storage().projects().require(project);
            RegistryService r = root.services().registry();
            ModelVersion v = r.importBundle(bundle, name, p, description);
            if (alias != null) r.alias(name, alias, v.version());
            report(output, v, r.store(), json.on());
            return 0;
        }
    }
}

package dev.fovea.core.model;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunModels;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model registry: versions made from runs or imported from files, aliases that move atomically, and bundles
 * that travel between machines as one file. A model reference is {@code NAME} (its {@code production} alias),
 * {@code NAME@ALIAS} or {@code NAME:VERSION}.
 */
public final class RegistryService {
    public static final String PRODUCTION = "production";

    private final ModelStore models;
    private final BlobStore blobs;
    private final RunModels runs;
    private final ModelLoader loader;
    private final Clock clock;

    public RegistryService(ModelStore models, BlobStore blobs, RunModels runs, ModelLoader loader, Clock clock) {
        this.models = models;
        this.blobs = blobs;
        this.runs = runs;
        this.loader = loader;
        this.clock = clock;
    }

    /** For training that starts from a registered model ({@code from: model:REF}). */
    public TrainedModel registered(String reference) {
        return trainedModel(Reference.parse(reference));
    }

    /**
     * A registered Fovea model as a trained model, for training that starts from it ({@code from: model:REF});
     * imported TorchScript and ONNX models are refused (their file is the way to start from them).
     */
    public TrainedModel trainedModel(Reference ref) {
        ModelVersion v = resolve(ref);
        ModelBundle b = bundle(v);
        if (!b.format().equals("fovea")) {
            throw FoveaException.invalid("model " + v.label() + " is an imported " + b.format() + " model; training"
                    + " starts from Fovea's own models, or from a TorchScript backbone file (--from FILE.pt)");
        }
        return new TrainedModel(TrainSettings.parse(b.settings()), b.classes(), b.preprocessing(), b.weights(), 0, 0,
                false, 0);
    }

    /** A parsed model reference: a version number, or an alias (production when neither is given). */
    public record Reference(String name, Integer version, String alias) {
        public static Reference parse(String text) {
            if (text == null || text.isBlank()) throw FoveaException.invalid("model reference is empty");
            int at = text.indexOf('@'), colon = text.indexOf(':');
            if (at >= 0 && colon >= 0) throw FoveaException.invalid("model reference '" + text + "' has both @ALIAS and :VERSION");
            if (colon >= 0) {
                try {
                    return new Reference(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)), null);
                } catch (NumberFormatException e) {
                    throw FoveaException.invalid("model reference '" + text + "': version '" + text.substring(colon + 1)
                            + "' is not a number");
                }
            }
            if (at >= 0) return new Reference(text.substring(0, at), null, text.substring(at + 1));
            return new Reference(text, null, PRODUCTION);
        }

        @Override
        public String toString() {
            return version != null ? name + ":" + version : name + "@" + alias;
        }
    }

    public ModelVersion resolve(Reference ref) {
        if (ref.version() != null) {
            return models.version(ref.name(), ref.version()).orElseThrow(() -> FoveaException.notFound(
                    models.versions(ref.name()).isEmpty() ? "model '" + ref.name() + "' does not exist"
                            : "model '" + ref.name() + "' has no version " + ref.version()));
        }
        Integer v = models.aliases(ref.name()).get(ref.alias());
        if (v == null) {
            throw FoveaException.notFound(models.versions(ref.name()).isEmpty() ? "model '" + ref.name() + "' does not exist"
                    : "model '" + ref.name() + "' has no alias '" + ref.alias() + "' (fovea model alias " + ref.name()
                            + " " + ref.alias() + " VERSION)");
        }
        return models.version(ref.name(), v).orElseThrow();
    }

    /** Registers a new version of {@code name} from a finished run: its weights, settings, classes and provenance. */
    public ModelVersion register(long runId, String name, String description) {
        Run run = runs.require(runId);
        TrainedModel m = runs.model(runId);
        Map<String, String> provenance = new LinkedHashMap<>(run.provenance());
        provenance.put("run", Long.toString(runId));
        run.summary().forEach((k, v) -> provenance.put("result." + k, v.toString()));
        ModelBundle bundle = new ModelBundle("fovea", m.classes(), m.preprocessing(), true, run.params(), provenance, m.weights());
        return store(name, run.projectId(), runId, bundle, description);
    }

    /**
     * Imports a bundle (a Fovea export, or a TorchScript/ONNX file wrapped with its classes and preprocessing) into
     * a project after loading it once, so a model that does not fit is refused before it is registered.
     */
    public ModelVersion importBundle(ModelBundle bundle, String name, Project project, String description) {
        if (!project.classes().containsAll(bundle.classes())) {
            List<String> unknown = bundle.classes().stream().filter(c -> !project.hasClass(c)).toList();
            throw FoveaException.invalid("model classes " + unknown + " are not classes of project " + project.name()
                    + " " + project.classes());
        }
        Map<String, String> found;
        try (Predictor loaded = loader.load(bundle)) { // loading checks format, input and output size
            found = loaded.description();
        }
        return store(name, project.id(), null, found.isEmpty() ? bundle : bundle.withSettings(found), description);
    }

    private ModelVersion store(String name, java.util.UUID projectId, Long runId, ModelBundle bundle, String description) {
        byte[] zip = bundle.toZip();
        String sha = blobs.put(zip);
        return models.create(new NewModelVersion(name, projectId, runId, bundle.format(), sha, zip.length,
                bundle.classes(), description == null ? "" : description, clock.instant()));
    }

    public byte[] export(ModelVersion v) {
        return blobs.get(v.bundleSha256()).orElseThrow(() -> FoveaException.notFound("bundle " + v.bundleSha256()
                + " of model " + v.label() + " is missing from the blob store"));
    }

    public ModelBundle bundle(ModelVersion v) {
        return ModelBundle.fromZip(export(v), v.label());
    }

    public void alias(String name, String alias, int version) {
        models.setAlias(name, alias, version);
    }

    public boolean removeAlias(String name, String alias) {
        return models.removeAlias(name, alias);
    }

    public ModelStore store() {
        return models;
    }

    public ModelLoader loader() {
        return loader;
    }
}

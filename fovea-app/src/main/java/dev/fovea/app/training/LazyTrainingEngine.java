package dev.fovea.app.training;

import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.TrainedModel;
import dev.fovea.core.training.TrainingEngine;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelLoader;
import dev.fovea.djl.DjlModelLoader;
import dev.fovea.djl.DjlTrainingEngine;
import dev.fovea.djl.PublishedWeightsReader;
import dev.fovea.core.weights.WeightsConverter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts DJL and PyTorch only when something trains or predicts, so that commands and servers that never do
 * (import, review, ...) do not pay for loading the native library or unpacking it on first use.
 */
public final class LazyTrainingEngine implements TrainingEngine, ModelLoader, WeightsConverter {
    private static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";
    private final Path cacheDir;
    private volatile TrainingEngine engine;

    public LazyTrainingEngine(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    private TrainingEngine engine(int threads) {
        TrainingEngine e = engine;
        if (e == null) {
            synchronized (this) {
                if (engine == null) engine = new DjlTrainingEngine(cacheDir, threads);
                e = engine;
            }
        }
        return e;
    }

    private static int threads(int setting) {
        return setting > 0 ? setting : Runtime.getRuntime().availableProcessors();
    }

    @Override
    public void validate(TrainingJob job) {
        engine(threads(job.settings().threads())).validate(job);
    }

    @Override
    public TrainedModel train(TrainingJob job, TrainingListener listener) {
        return engine(threads(job.settings().threads())).train(job, listener);
    }

    @Override
    public Predictor load(TrainedModel model) {
        return engine(threads(model.settings().threads())).load(model);
    }

    /** Loads a registry bundle, starting DJL first (ONNX Runtime and TensorFlow too live behind it). */
    @Override
    public Predictor load(ModelBundle bundle) {
        return load(bundle, 0);
    }

    @Override
    public Predictor load(ModelBundle bundle, int threads) {
        if (bundle.format().equals("tensorflow") && System.getProperty(JAVACPP_CACHE) == null) {
            // TensorFlow's natives (650 MB unpacked) go to this machine's Fovea cache, not ~/.javacpp
            System.setProperty(JAVACPP_CACHE, cacheDir.resolve("javacpp").toString());
        }
        engine(threads(0));
        return new DjlModelLoader().load(bundle, threads);
    }

    /** Reads published weights into a network, starting DJL first (it builds the network to load them into). */
    @Override
    public Conversion convert(Path file, String arch, boolean partial, int headClasses) {
        engine(threads(0));
        return new PublishedWeightsReader().convert(file, arch, partial, headClasses);
    }

    @Override
    public java.util.List<String> checkpointFiles() {
        return dev.fovea.djl.DjlTrainingEngine.CHECKPOINT_FILES; // names only: no reason to load the engine
    }

    @Override
    public Map<String, String> versions() {
        return engine(threads(0)).versions();
    }
}

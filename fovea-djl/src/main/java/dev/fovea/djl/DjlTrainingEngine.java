package dev.fovea.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.pytorch.jni.JniUtils;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.LrSchedule;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.training.StepMetrics;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import dev.fovea.core.training.TrainingEngine;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Trains Fovea's networks with DJL on PyTorch. Each optimizer step runs in its own NDManager that is closed
 * right after, so no batch or intermediate array outlives its step; validation runs without gradients in eval
 * mode. A checkpoint is written after an epoch as often as {@code checkpoint_seconds} says, and when the listener
 * stops the run; a job whose folder holds a checkpoint resumes after its epoch.
 */
public final class DjlTrainingEngine implements TrainingEngine {
    /** The checkpoint's files in a job's folder: the state to resume from, and the best epoch's parameters. */
    public static final List<String> CHECKPOINT_FILES = List.of(Checkpoint.LAST, Checkpoint.BEST);

    @Override
    public List<String> checkpointFiles() {
        return CHECKPOINT_FILES;
    }

    private static final long CACHE_BYTES = 1L << 30;

    public DjlTrainingEngine(Path cacheDir, int threads) {
        DjlRuntime.start(cacheDir, threads);
    }

    @Override
    public Map<String, String> versions() {
        return DjlRuntime.versions();
    }

    @Override
    public void validate(TrainingJob job) {
        check(job, true);
    }

    /**
     * Everything {@link #validate} promises; {@code loadSource}: also load the pretrained source into a throwaway
     * network to see that it fits. {@link #train} skips that: building its network does the same a moment later,
     * with the same errors, and a ResNet-50 source is not worth loading three times.
     */
    private static void check(TrainingJob job, boolean loadSource) {
        TrainSettings s = job.settings();
        int min = Networks.minimumInputSize(s);
        if (s.inputSize() < min) {
            throw FoveaException.invalid("input_size " + s.inputSize() + " is too small for " + s.arch()
                    + (s.arch().equals("small-cnn") ? " with " + s.cnnBlocks() + " blocks" : "")
                    + ": it needs at least " + min);
        }
        if (s.freezeEpochs() > 0 && s.from().isEmpty()) {
            throw FoveaException.invalid("freeze_epochs " + s.freezeEpochs()
                    + " needs a pretrained backbone to freeze (from: FILE.pt); this run starts from scratch");
        }
        if (ownModel(s.from())) {
            TrainedModel source = job.pretrained();
            if (source == null) throw FoveaException.invalid("from '" + s.from() + "' was not resolved to a trained model");
            boolean transferred = TransferBlock.holds(source.weights());
            if (!transferred) checkSameNetwork(s, source.settings());
            if (loadSource) {
                try (Model probe = Model.newInstance("probe", Device.cpu(), "PyTorch")) {
                    if (transferred) {
                        TransferBlock.retrained(probe, source, job.classes().size(), s.inputSize());
                    } else {
                        Block target = Networks.build(s, job.classes().size());
                        target.initialize(probe.getNDManager(), DataType.FLOAT32, new Shape(1, 3, s.inputSize(), s.inputSize()));
                        startFrom(source, target, probe.getNDManager(), s.inputSize());
                    }
                }
            }
        } else if (!s.from().isEmpty() && loadSource) {
            try (Model probe = Model.newInstance("probe", Device.cpu(), "PyTorch")) {
                TransferBlock.load(probe, backboneFile(s), job.classes().size(), s.inputSize());
            }
        }
        if (job.classes().size() < 2) {
            throw FoveaException.invalid("training needs at least 2 classes, got " + job.classes());
        }
        if (job.train().isEmpty()) throw FoveaException.invalid("training needs at least one training image");
        for (Example e : job.train()) {
            if (e.label() < 0 || e.label() >= job.classes().size()) {
                throw FoveaException.invalid("example " + e.sha256() + " has label " + e.label()
                        + " outside 0.." + (job.classes().size() - 1));
            }
        }
        Checkpoint.read(job.checkpointDir()).ifPresent(c -> checkMatches(c, job));
    }

    private static void checkMatches(Checkpoint c, TrainingJob job) {
        Map<String, String> now = job.settings().toMap();
        List<String> differ = now.keySet().stream()
                .filter(k -> !TrainSettings.MACHINE_KEYS.contains(k))
                .filter(k -> !now.get(k).equals(c.settings().getOrDefault(k, TrainSettings.DEFAULTS.toMap().get(k)))).toList();
        if (!differ.isEmpty()) {
            String first = differ.get(0);
            throw new FoveaException("checkpoint_mismatch", "checkpoint in " + job.checkpointDir()
                    + " was written with other settings (" + String.join(", ", differ) + "; e.g. " + first + " was '"
                    + c.settings().get(first) + "', now '" + now.get(first) + "')");
        }
        if (!c.classes().equals(job.classes())) {
            throw new FoveaException("checkpoint_mismatch", "checkpoint in " + job.checkpointDir()
                    + " was written for classes " + c.classes() + ", not " + job.classes());
        }
    }

    @Override
    public TrainedModel train(TrainingJob job, TrainingListener listener) {
        check(job, false);
        // PyTorch's grad mode is per thread and on by default in a new thread: training may run on any thread, and
        // the optimizer's in-place updates must not be recorded (GradientCollector turns it on only inside a step).
        JniUtils.setGradMode(false);
        TrainSettings s = job.settings();
        int k = job.classes().size(), size = s.inputSize();
        Preprocessing pre = s.preprocessing();
        Engine.getEngine("PyTorch").setRandomSeed((int) s.seed());
        // The trainer runs forward passes and collects gradients; FoveaOptimizer, not the trainer, updates parameters.
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optDevices(new Device[] {Device.cpu()});
        int loaders = s.loaderThreads() > 0 ? s.loaderThreads() : Math.max(1, Math.min(2, s.threads()));
        try (Model model = Model.newInstance("fovea-" + s.arch(), Device.cpu(), "PyTorch");
                InputPipeline input = new InputPipeline(job.images(), pre, s.augment(), loaders, CACHE_BYTES)) {
            boolean own = ownModel(s.from());
            TransferBlock transfer = s.from().isEmpty() ? null
                    : !own ? TransferBlock.load(model, backboneFile(s), k, size)
                    : TransferBlock.holds(job.pretrained().weights()) ? TransferBlock.retrained(model, job.pretrained(), k, size)
                    : null;
            Block block = transfer != null ? transfer : Networks.build(s, k);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, size, size));
            Optional<Checkpoint> resumed = Checkpoint.read(job.checkpointDir());
            // Before the trainer exists: it keeps the parameters' arrays as they are when it is initialized, and
            // loading replaces them (a resume that loaded afterwards silently trained the fresh weights).
            if (resumed.isPresent()) Weights.load(block, model.getNDManager(), resumed.get().parameters());
            // What a transfer run freezes first: everything but the new head
            Set<Parameter> backbone = transfer != null ? transfer.backboneParameters()
                    : own ? backboneOf(block) : Set.of();
            if (own && transfer == null && resumed.isEmpty()) startFrom(job.pretrained(), block, model.getNDManager(), size);
            try (Trainer trainer = initializedTrainer(model, config, size);
                    FoveaOptimizer optimizer = new FoveaOptimizer(s, block.getParameters(), model.getNDManager())) {
                long parameters = countParameters(block);
                NDManager manager = model.getNDManager();
                NDArray classWeights = classWeights(s, job, manager);

                int firstEpoch = 1, bestEpoch = 0, stale = 0;
                long step = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                if (resumed.isPresent()) {
                    Checkpoint c = resumed.get();
                    optimizer.restore(c.optimizer());
                    firstEpoch = c.epoch() + 1;
                    step = c.step();
                    bestEpoch = c.bestEpoch();
                    bestScore = c.bestScore();
                    stale = c.epochsWithoutImprovement();
                }
                int batches = InputPipeline.batches(job.train().size(), s.batchSize());
                listener.onStart(new TrainingPlan(firstEpoch, s.epochs(), batches, job.train().size(),
                        job.validation().size(), parameters));
                int epochsRun = firstEpoch - 1;
                boolean stoppedEarly = false, bestSinceCheckpoint = false;
                byte[] bestWeights = null;
                long lastCheckpoint = System.nanoTime();
                for (int epoch = firstEpoch; epoch <= s.epochs(); epoch++) {
                    long epochStart = System.nanoTime();
                    // Dropout's randomness per epoch, so that a resumed run repeats what an uninterrupted one does
                    Engine.getEngine("PyTorch").setRandomSeed((int) (s.seed() * 1_000_003L + epoch));
                    if (!backbone.isEmpty()) { // frozen backbone first, then (optionally) all layers at a lower rate
                        boolean frozen = epoch <= s.freezeEpochs();
                        optimizer.freeze(frozen ? backbone : Set.of());
                        if (transfer != null) transfer.fineTune(!frozen);
                    }
                    double lossSum = 0;
                    int seen = 0, batch = 0;
                    long last = System.nanoTime();
                    Iterator<InputPipeline.Batch> it = input.epoch(job.train(), s.batchSize(), true, s.seed(), epoch);
                    while (it.hasNext()) {
                        InputPipeline.Batch b = it.next();
                        long[] times = new long[4];
                        times[0] = System.nanoTime() - last;
                        double lr = LrSchedule.at(s, step, batches);
                        float loss = trainStep(trainer, optimizer, lr, manager, b, size, k, (float) s.labelSmoothing(),
                                classWeights, times);
                        if (!Float.isFinite(loss)) {
                            throw new FoveaException("training_diverged", "training loss became " + loss + " at epoch "
                                    + epoch + ", batch " + (batch + 1) + " (lr " + lr + "); try a lower lr");
                        }
                        step++;
                        batch++;
                        lossSum += loss * b.size();
                        seen += b.size();
                        long now = System.nanoTime();
                        listener.onStep(new StepMetrics(step, epoch, batch, batches, loss, lr,
                                b.size() / Math.max(1e-9, (now - last) / 1e9), times[0] / 1e6, times[1] / 1e6,
                                times[2] / 1e6, times[3] / 1e6));
                        last = now;
                    }
                    double[] val = evaluate(trainer, manager, input, job.validation(), s, size, k, classWeights);
                    double trainLoss = lossSum / Math.max(1, seen);
                    double score = job.validation().isEmpty() ? -trainLoss : val[1];
                    listener.onEpoch(new EpochMetrics(epoch, step, trainLoss, val[0], val[1],
                            (System.nanoTime() - epochStart) / 1e9));
                    boolean best = score > bestScore;
                    if (best) {
                        bestScore = score;
                        bestEpoch = epoch;
                        stale = 0;
                        bestWeights = Weights.of(block);
                        bestSinceCheckpoint = true;
                    } else {
                        stale++;
                    }
                    epochsRun = epoch;
                    boolean early = s.earlyStoppingPatience() > 0 && stale >= s.earlyStoppingPatience()
                            && epoch < s.epochs();
                    boolean stop = !early && listener.shouldStop();
                    // Time-based: a checkpoint costs a few ms and, with a shared database, megabytes sent to it. A
                    // run stopped on request checkpoints at once: it may be carried on elsewhere (a trial handed back).
                    long now = System.nanoTime();
                    if (stop || now - lastCheckpoint >= s.checkpointSeconds() * 1_000_000_000L) {
                        if (bestSinceCheckpoint) {
                            Checkpoint.writeAtomically(job.checkpointDir().resolve(Checkpoint.BEST), bestWeights);
                            bestSinceCheckpoint = false;
                        }
                        new Checkpoint(epoch, step, bestEpoch, bestScore, stale, s.toMap(), job.classes(),
                                Weights.of(block), optimizer.state()).write(job.checkpointDir());
                        listener.onCheckpoint(epoch, bestEpoch == epoch);
                        lastCheckpoint = System.nanoTime();
                    }
                    if (early || stop) {
                        stoppedEarly = true;
                        break;
                    }
                }
                // The best epoch's weights: kept since this process saw them, else the resumed checkpoint's
                byte[] weights = bestWeights != null ? bestWeights
                        : Files.readAllBytes(job.checkpointDir().resolve(Checkpoint.BEST));
                return new TrainedModel(s, job.classes(), pre, weights, bestEpoch, epochsRun, stoppedEarly, parameters);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("training checkpoint folder " + job.checkpointDir() + ": " + e.getMessage(), e);
        }
    }

    /** A trainer that holds the network's parameters as they are now (and takes gradients for them). */
    private static Trainer initializedTrainer(Model model, DefaultTrainingConfig config, int size) {
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(new Shape(1, 3, size, size));
        return trainer;
    }

    private static float trainStep(Trainer trainer, FoveaOptimizer optimizer, double lr, NDManager manager,
            InputPipeline.Batch b, int size, int k, float smoothing, NDArray classWeights, long[] times) {
        try (NDManager step = manager.newSubManager()) {
            long t0 = System.nanoTime();
            NDArray x = step.create(b.data(), new Shape(b.size(), 3, size, size));
            NDArray y = step.create(b.labels());
            float value;
            long t1, t2;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray loss = Losses.crossEntropy(logits, y, k, smoothing, classWeights);
                value = loss.getFloat(); // PyTorch on CPU is synchronous: the forward pass is done here
                t1 = System.nanoTime();
                gc.backward(loss);
                t2 = System.nanoTime();
            }
            optimizer.step(lr);
            long t3 = System.nanoTime();
            times[1] = t1 - t0;
            times[2] = t2 - t1;
            times[3] = t3 - t2;
            return value;
        }
    }

    /** Mean validation loss and accuracy, in eval mode without gradients; NaN, NaN when there are no examples. */
    private static double[] evaluate(Trainer trainer, NDManager manager, InputPipeline input, List<Example> examples,
            TrainSettings s, int size, int k, NDArray classWeights) {
        if (examples.isEmpty()) return new double[] {Double.NaN, Double.NaN};
        double lossSum = 0;
        long right = 0;
        Iterator<InputPipeline.Batch> it = input.epoch(examples, Math.max(s.batchSize(), 64), false, s.seed(), 0);
        while (it.hasNext()) {
            InputPipeline.Batch b = it.next();
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(b.data(), new Shape(b.size(), 3, size, size));
                NDArray y = step.create(b.labels());
                NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
                lossSum += Losses.crossEntropy(logits, y, k, 0f, null).getFloat() * b.size();
                int[] predicted = logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
                for (int i = 0; i < b.size(); i++) if (predicted[i] == b.labels()[i]) right++;
            }
        }
        return new double[] {lossSum / examples.size(), right / (double) examples.size()};
    }

    private static NDArray classWeights(TrainSettings s, TrainingJob job, NDManager manager) {
        if (!s.classWeights().equals("balanced")) return null;
        int k = job.classes().size();
        int[] counts = new int[k];
        for (Example e : job.train()) counts[e.label()]++;
        float[] w = new float[k];
        for (int c = 0; c < k; c++) w[c] = counts[c] == 0 ? 0f : job.train().size() / (float) (k * counts[c]);
        return manager.create(w); // scikit-learn's "balanced": n / (classes * count)
    }

    /**
     * Whether {@code from} names one of Fovea's own networks (a run, a registered model, installed published weights)
     * rather than a TorchScript file.
     */
    static boolean ownModel(String from) {
        return from.startsWith("run:") || from.startsWith("model:") || from.startsWith("weights:");
    }

    /** The backbone file of a transfer-learning run that starts from a TorchScript file. */
    static Path backboneFile(TrainSettings s) {
        return Path.of(s.from());
    }

    /** A Fovea network starts from another only if it is the same network: same architecture and shape settings. */
    private static void checkSameNetwork(TrainSettings s, TrainSettings source) {
        Map<String, String> mine = s.toMap(), theirs = source.toMap();
        for (String key : s.networkKeys()) {
            if (!mine.get(key).equals(theirs.get(key))) {
                throw FoveaException.invalid("from '" + s.from() + "' is a network with " + key + " " + theirs.get(key)
                        + ", not " + mine.get(key) + " as this run asks: a run starts from a network of its own"
                        + " architecture (set " + key + " to " + theirs.get(key) + ")");
            }
        }
    }

    /** Every parameter of a Fovea network but its classification head (the last block: a linear layer). */
    private static Set<Parameter> backboneOf(Block network) {
        var children = network.getChildren();
        Set<Parameter> head = Set.copyOf(children.get(children.size() - 1).getValue().getParameters().values());
        Set<Parameter> rest = new java.util.HashSet<>(network.getParameters().values());
        rest.removeAll(head);
        return rest;
    }

    /**
     * Copies a trained Fovea network's weights, all but its classification head, into {@code target} (a network of
     * the same architecture, initialized, with a new head for this run's classes).
     */
    static void startFrom(TrainedModel source, Block target, NDManager manager, int size) {
        try (NDManager scratch = manager.newSubManager()) {
            Block from = Networks.build(source.settings(), source.classes().size());
            from.initialize(scratch, DataType.FLOAT32, new Shape(1, 3, size, size));
            Weights.load(from, scratch, source.weights());
            Set<Parameter> backbone = backboneOf(target);
            var mine = target.getParameters();
            var theirs = from.getParameters();
            for (int i = 0; i < mine.size(); i++) {
                Parameter p = mine.valueAt(i);
                if (!backbone.contains(p)) continue;
                NDArray weights = theirs.valueAt(i).getArray();
                if (!mine.keyAt(i).equals(theirs.keyAt(i)) || !weights.getShape().equals(p.getArray().getShape())) {
                    throw new FoveaException("weights_mismatch", "pretrained parameter " + theirs.keyAt(i) + " "
                            + weights.getShape() + " does not fit " + mine.keyAt(i) + " " + p.getArray().getShape());
                }
                weights.copyTo(p.getArray());
            }
        }
    }

    static long countParameters(Block block) {
        long n = 0;
        for (var p : block.getParameters().values()) {
            if (p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR) continue;
            n += p.getArray().getShape().size();
        }
        return n;
    }

    @Override
    public Predictor load(TrainedModel trained) {
        return new DjlPredictor(trained);
    }
}

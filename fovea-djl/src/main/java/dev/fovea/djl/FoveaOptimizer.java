package dev.fovea.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import dev.fovea.core.training.TrainSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * SGD (momentum, Nesterov), Adam and AdamW with PyTorch's semantics, whose state Fovea owns so that a checkpoint
 * can hold it and a resumed run continues with the same moments. The learning rate is set by the training loop
 * before each step ({@link #setLearningRate}); parameters in {@link #freeze} are left untouched.
 */
final class FoveaOptimizer extends Optimizer {
    private static final float BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-8f;

    private final String kind;
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;
    private final Map<String, NDArray> first = new HashMap<>();
    private final Map<String, NDArray> second = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();
    private Set<String> frozen = Set.of();
    private float lr;

    FoveaOptimizer(TrainSettings s) {
        super(new Builder().setRescaleGrad(1f));
        this.kind = s.optimizer();
        this.momentum = (float) s.momentum();
        this.nesterov = s.nesterov();
        this.weightDecay = (float) s.weightDecay();
        this.lr = (float) s.lr();
    }

    void setLearningRate(double lr) {
        this.lr = (float) lr;
    }

    void freeze(Set<String> parameterIds) {
        this.frozen = Set.copyOf(parameterIds);
    }

    @Override
    public void update(String id, NDArray weight, NDArray grad) {
        if (frozen.contains(id)) {
            JniUtils.zeroGrad((PtNDArray) weight);
            return;
        }
        int t = steps.merge(id, 1, Integer::sum);
        switch (kind) {
            case "adam", "adamw" -> {
                NDArray m = first.computeIfAbsent(id, k -> weight.zerosLike());
                NDArray v = second.computeIfAbsent(id, k -> weight.zerosLike());
                double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
                float corrected = (float) (lr * Math.sqrt(c2) / c1);
                // PyTorch's fused Adam step in DJL's native library; it also clears the gradient.
                weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, m, v), new NDList(weight),
                        lr, corrected, weightDecay, 1f, -1f, BETA1, BETA2, EPS, false, kind.equals("adamw"));
            }
            default -> {
                NDArray buf = momentum > 0 ? first.computeIfAbsent(id, k -> weight.zerosLike()) : null;
                try (NDScope ignored = new NDScope()) {
                    NDArray g = weightDecay > 0 ? grad.add(weight.mul(weightDecay)) : grad;
                    NDArray step = g;
                    if (buf != null) {
                        buf.muli(momentum).addi(g);
                        step = nesterov ? g.add(buf.mul(momentum)) : buf;
                    }
                    weight.subi(step.mul(lr));
                }
                JniUtils.zeroGrad((PtNDArray) weight);
            }
        }
    }

    /** The optimizer's state (moments and step counts) as bytes. */
    byte[] state() {
        NDList list = new NDList();
        first.forEach((id, a) -> { a.setName("1:" + id); list.add(a); });
        second.forEach((id, a) -> { a.setName("2:" + id); list.add(a); });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            var data = new java.io.DataOutputStream(out);
            data.writeInt(steps.size());
            for (var e : steps.entrySet()) {
                data.writeUTF(e.getKey());
                data.writeInt(e.getValue());
            }
            data.flush();
            list.encode(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Restores state written by {@link #state()}; arrays go to {@code manager} (the model's). */
    void restore(byte[] bytes, NDManager manager) {
        try {
            var in = new ByteArrayInputStream(bytes);
            var data = new java.io.DataInputStream(in);
            int n = data.readInt();
            for (int i = 0; i < n; i++) steps.put(data.readUTF(), data.readInt());
            NDList list = NDList.decode(manager, in);
            for (NDArray a : list) {
                String name = a.getName();
                (name.startsWith("1:") ? first : second).put(name.substring(2), a);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("optimizer state in the checkpoint is unreadable", e);
        }
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        Builder() {
            optBeginNumUpdate(0);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

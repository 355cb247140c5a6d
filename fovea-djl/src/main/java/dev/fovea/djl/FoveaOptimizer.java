package dev.fovea.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.PairList;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SGD (momentum, Nesterov), Adam and AdamW with PyTorch's semantics, updating all parameters in one native call
 * per step: Adam and AdamW through PyTorch's fused multi-tensor kernel, SGD through its multi-tensor operations,
 * each a small TorchScript function (made by {@code scripts/make-optimizer-steps.py}) loaded once per training.
 * DJL's optimizers make several native calls per parameter and copy every gradient first; on ResNet-18 that step
 * took 3-10x as long as Python's (bench/README.md).
 *
 * <p>Fovea owns the state (moments, per-parameter step counts), keyed by the parameter's path in the network, so
 * a checkpoint holds it and a resumed run, whose parameters are new objects, continues with the same moments.
 * Parameters in {@link #freeze} are left untouched (their gradients are cleared). The learning rate is given to
 * each {@link #step}.
 */
final class FoveaOptimizer implements AutoCloseable {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final String kind;
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final NDManager manager;
    private final PtSymbolBlock function;
    private final Map<String, Parameter> trainable = new LinkedHashMap<>();
    /** Adam: first moments; SGD: momentum buffers. */
    private final Map<String, NDArray> first = new HashMap<>();
    private final Map<String, NDArray> second = new HashMap<>();
    /** Adam's step counts as float scalars, the form the fused kernel reads and increments. */
    private final Map<String, NDArray> steps = new HashMap<>();
    private Set<Parameter> frozen = Set.of();

    /** {@code parameters}: the network's, by path (Block.getParameters()); state arrays go to {@code manager}. */
    FoveaOptimizer(TrainSettings s, PairList<String, Parameter> parameters, NDManager manager) {
        this.kind = s.optimizer();
        this.momentum = s.momentum();
        this.nesterov = s.nesterov();
        this.weightDecay = s.weightDecay();
        this.manager = manager;
        for (var e : parameters) if (e.getValue().requiresGradient()) trainable.put(e.getKey(), e.getValue());
        this.function = load(kind.equals("sgd") ? "sgd-step.pt" : "adam-step.pt", manager);
    }

    private static PtSymbolBlock load(String resource, NDManager manager) {
        try (InputStream in = FoveaOptimizer.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("optimizer step " + resource + " is missing from Fovea's jar");
            return JniUtils.loadModule((PtNDManager) manager, in, false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("optimizer step " + resource + ": " + e.getMessage(), e);
        }
    }

    void freeze(Set<Parameter> parameters) {
        this.frozen = Set.copyOf(parameters);
    }

    /** One update of every trainable, unfrozen parameter from its gradient at {@code lr}; clears all gradients. */
    void step(double lr) {
        List<PtNDArray> params = new ArrayList<>(), grads = new ArrayList<>();
        List<PtNDArray> m = new ArrayList<>(), v = new ArrayList<>(), t = new ArrayList<>();
        try {
            for (var e : trainable.entrySet()) {
                PtNDArray weight = (PtNDArray) e.getValue().getArray();
                if (frozen.contains(e.getValue())) {
                    JniUtils.zeroGrad(weight);
                    continue;
                }
                params.add(weight);
                grads.add((PtNDArray) weight.getGradient());
                String name = e.getKey();
                if (kind.equals("sgd")) {
                    if (momentum > 0) m.add((PtNDArray) first.computeIfAbsent(name, k -> zerosLike(weight)));
                } else {
                    m.add((PtNDArray) first.computeIfAbsent(name, k -> zerosLike(weight)));
                    v.add((PtNDArray) second.computeIfAbsent(name, k -> zerosLike(weight)));
                    t.add((PtNDArray) steps.computeIfAbsent(name, k -> manager.create(0f)));
                }
            }
            if (params.isEmpty()) return;
            IValue[] in = kind.equals("sgd")
                    ? new IValue[] {list(params), list(grads), list(m), IValue.from(lr), IValue.from(momentum),
                            IValue.from(nesterov), IValue.from(weightDecay)}
                    : new IValue[] {list(params), list(grads), list(m), list(v), list(t), IValue.from(lr),
                            IValue.from(BETA1), IValue.from(BETA2), IValue.from(EPS), IValue.from(weightDecay),
                            IValue.from(kind.equals("adamw"))};
            try {
                function.forward(in).close();
            } finally {
                for (IValue i : in) i.close();
            }
        } finally {
            for (PtNDArray g : grads) g.close(); // handles only: the gradients themselves stay with their parameters
        }
    }

    private NDArray zerosLike(NDArray weight) {
        return manager.zeros(weight.getShape(), weight.getDataType());
    }

    private static IValue list(List<PtNDArray> arrays) {
        return IValue.listFrom(arrays.toArray(PtNDArray[]::new));
    }

    /** The optimizer's state (moments and step counts, by parameter path) as bytes. */
    byte[] state() {
        NDList list = new NDList();
        first.forEach((name, a) -> { a.setName("1:" + name); list.add(a); });
        second.forEach((name, a) -> { a.setName("2:" + name); list.add(a); });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            var data = new DataOutputStream(out);
            data.writeInt(steps.size());
            for (var e : steps.entrySet()) {
                data.writeUTF(e.getKey());
                data.writeInt(Math.round(e.getValue().getFloat()));
            }
            data.flush();
            list.encode(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Restores state written by {@link #state()} for the same network. */
    void restore(byte[] bytes) {
        try {
            var in = new ByteArrayInputStream(bytes);
            var data = new DataInputStream(in);
            int n = data.readInt();
            for (int i = 0; i < n; i++) {
                String name = data.readUTF();
                steps.put(known(name), manager.create((float) data.readInt()));
            }
            for (NDArray a : NDList.decode(manager, in)) {
                String name = a.getName().substring(2);
                (a.getName().startsWith("1:") ? first : second).put(known(name), a);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("optimizer state in the checkpoint is unreadable", e);
        }
    }

    private String known(String name) {
        if (!trainable.containsKey(name)) {
            throw new FoveaException("checkpoint_mismatch", "optimizer state in the checkpoint is for parameter '" + name
                    + "', which this network does not train");
        }
        return name;
    }

    @Override
    public void close() {
        function.close();
    }
}

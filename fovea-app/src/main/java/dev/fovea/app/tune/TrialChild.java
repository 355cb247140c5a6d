package dev.fovea.app.tune;

import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.SyntheticObjective.Misbehaviour;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

/**
 * The child process of one synthetic trial. It writes {@code epoch N VALUE} after each epoch and waits for the
 * parent's {@code go} or {@code stop}, then {@code done VALUE} (or {@code pruned N}). It never touches the store:
 * the parent records everything. When its standard input closes, its parent is gone and it exits at once.
 *
 * <p>Arguments: {@code OBJECTIVE TRIAL EPOCHS EPOCH_MS FROM [NAME=KIND:VALUE ...]} with KIND f, i, b or s; FROM is
 * the epoch a lost attempt's checkpoint reached (0: from the start), after which this one starts.
 */
public final class TrialChild {
    private TrialChild() {}

    public static void main(String[] args) throws Exception {
        String objective = args[0];
        int trial = Integer.parseInt(args[1]);
        int epochs = Integer.parseInt(args[2]);
        long epochMs = Long.parseLong(args[3]);
        int from = Integer.parseInt(args[4]);
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 5; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            params.put(args[i].substring(0, eq), ParamText.parse(args[i].substring(eq + 1)));
        }
        BlockingQueue<String> answers = ParentWatch.start();

        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Misbehaviour bad = Misbehaviour.named(objective);
        boolean strikes = bad != null && Misbehaviour.strikes(trial);
        List<Double> curve = SyntheticObjective.named(objective).curve(params, epochs);
        for (int e = from + 1; e <= epochs; e++) {
            Thread.sleep(epochMs);
            if (strikes && e == 2) misbehave(bad);
            out.println("epoch " + e + " " + curve.get(e - 1));
            String answer = answers.take();
            if (answer.equals("stop") && e < epochs) {
                out.println("pruned " + e);
                System.exit(0);
            }
        }
        out.println("done " + curve.get(epochs - 1));
        System.exit(0);
    }

    private static void misbehave(Misbehaviour bad) throws Exception {
        switch (bad) {
            case CRASH -> {
                System.err.println("synthetic:crash: trial kills its own process");
                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
                Thread.sleep(60_000);
            }
            case HANG -> {
                System.err.println("synthetic:hang: trial stops reporting");
                Thread.sleep(Long.MAX_VALUE);
            }
            case LEAK -> {
                System.err.println("synthetic:leak: trial grows native memory until it is killed");
                List<ByteBuffer> kept = new ArrayList<>();
                for (;;) {
                    ByteBuffer b = ByteBuffer.allocateDirect(16 << 20);
                    for (int i = 0; i < b.capacity(); i += 4096) b.put(i, (byte) 1); // resident, not just reserved
                    kept.add(b);
                    Thread.sleep(20);
                }
            }
        }
    }
}

package dev.fovea.app.tune;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The child side of the trial pipe's input: the parent's answers, line by line. When standard input closes, the
 * parent (fovea tune) is gone, and the child halts at once rather than train on for nobody.
 */
public final class ParentWatch {
    /** The exit code of a child whose parent went away. */
    public static final int PARENT_GONE = 3;

    private ParentWatch() {}

    /** Starts reading standard input; the answers arrive in the queue returned. */
    public static BlockingQueue<String> start() {
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) answers.add(line.trim());
            } catch (Exception e) {
                // taken as the parent being gone
            }
            Runtime.getRuntime().halt(PARENT_GONE);
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
        return answers;
    }
}

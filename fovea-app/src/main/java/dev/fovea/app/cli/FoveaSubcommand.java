package dev.fovea.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Base of every command: access to the root's settings and storage, and to the output. */
abstract class FoveaSubcommand implements Callable<Integer> {
    protected FoveaCommand root;
    protected Output output;
    protected Path foveaHome;

    final void bind(FoveaCommand root, Output output, Path foveaHome) {
        this.root = root;
        this.output = output;
        this.foveaHome = foveaHome;
    }
}

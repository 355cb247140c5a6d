package dev.fovea.app.cli;

import dev.fovea.app.wiring.FoveaVersion;
import picocli.CommandLine.IVersionProvider;

/** What {@code fovea --version} prints. */
final class VersionText implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"fovea " + FoveaVersion.version() + " (Java " + Runtime.version() + ")"};
    }
}

package dev.fovea.app.cli;

import picocli.CommandLine.IVersionProvider;

public final class FoveaVersion implements IVersionProvider {
    public static String version() {
        String v = FoveaVersion.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"fovea " + version() + " (Java " + Runtime.version() + ")"};
    }
}

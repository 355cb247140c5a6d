package dev.fovea.app.wiring;

/** Fovea's version: the jar's Implementation-Version, or "development" when run from the build's classes. */
public final class FoveaVersion {
    private FoveaVersion() {}

    public static String version() {
        String v = FoveaVersion.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}

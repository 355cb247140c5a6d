package dev.fovea.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module boundaries of docs/architecture.md, checked on the compiled classes of all four modules. */
class ArchitectureTest {
    private static final JavaClasses FOVEA = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // core's test-jar (contract suites)
            .importPackages("dev.fovea");

    @Test
    void theRulesSeeEveryModule() {
        for (String name : new String[] {"dev.fovea.core.imports.ImportService", "dev.fovea.store.Storage",
                "dev.fovea.djl.DjlTrainingEngine", "dev.fovea.app.Main"}) {
            org.assertj.core.api.Assertions.assertThat(FOVEA.contain(name)).as(name).isTrue();
        }
    }

    @Test
    void coreDependsOnTheJdkAndSlf4jOnly() {
        classes().that().resideInAPackage("dev.fovea.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.fovea.core..", "java..", "javax..", "org.slf4j..")
                .check(FOVEA);
    }

    @Test
    void storeAndDjlNeverImportEachOtherOrTheApp() {
        noClasses().that().resideInAPackage("dev.fovea.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fovea.djl..", "dev.fovea.app..", "ai.djl..")
                .check(FOVEA);
        noClasses().that().resideInAPackage("dev.fovea.djl..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fovea.store..", "dev.fovea.app..", "java.sql..")
                .check(FOVEA);
    }

    @Test
    void noCyclesBetweenModules() {
        slices().matching("dev.fovea.(*)..").should().beFreeOfCycles().check(FOVEA);
    }

    @Test
    void noCyclesBetweenThePackagesOfAnyModule() {
        for (String module : new String[] {"core", "app"}) {
            slices().matching("dev.fovea." + module + ".(**)").should().beFreeOfCycles().check(FOVEA);
        }
        // The store and djl modules are one package each, so they have no cycles inside; a second package there
        // must join the rule above, which this makes sure of.
        classes().that().resideInAPackage("dev.fovea.store..").should().resideInAPackage("dev.fovea.store").check(FOVEA);
        classes().that().resideInAPackage("dev.fovea.djl..").should().resideInAPackage("dev.fovea.djl").check(FOVEA);
    }

    @Test
    void theCliUsesServicesNotRoutes() {
        noClasses().that().resideInAPackage("dev.fovea.app.cli..")
                .should().dependOnClassesThat().haveSimpleNameEndingWith("Routes")
                .check(FOVEA);
    }

    @Test
    void theTrainerIsCalledOnlyThroughItsPort() {
        // Loading weights lives beside the checkpoint that writes them (Weights), not in the trainer.
        noClasses().that().resideInAPackage("dev.fovea.djl..").and().doNotHaveSimpleName("DjlTrainingEngine")
                .should().dependOnClassesThat().haveSimpleName("DjlTrainingEngine")
                .check(FOVEA);
    }

    @Test
    void onlyTheAppReadsSystemPropertiesOrTheEnvironment() {
        noClasses().that().resideOutsideOfPackage("dev.fovea.app..")
                .should().callMethod(System.class, "getProperty", String.class)
                .orShould().callMethod(System.class, "getProperty", String.class, String.class)
                .orShould().callMethod(System.class, "getenv", String.class)
                .orShould().callMethod(System.class, "getenv")
                .orShould().callMethod(Boolean.class, "getBoolean", String.class)
                .orShould().callMethod(Integer.class, "getInteger", String.class)
                .check(FOVEA);
    }

    @Test
    void onlyTheWeightsDownloadAndTheUrlRoutesOpenConnections() {
        // Besides the database (its driver's own code), Fovea connects only when asked: fovea weights fetch, and
        // the Custom Vision /url routes to the hosts in serving.url_hosts. NoConnectionsIT watches the processes.
        noClasses().that().haveNameNotMatching("dev\\.fovea\\.app\\.(weights\\.WeightsDownload|server\\.CustomVisionRoutes)(\\$.*)?")
                .should().dependOnClassesThat().resideInAPackage("java.net.http..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.URLConnection")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.HttpURLConnection")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.nio.channels.SocketChannel")
                .orShould().callMethod(java.net.URL.class, "openConnection")
                .orShould().callMethod(java.net.URL.class, "openStream")
                .check(FOVEA);
    }

    @Test
    void namesSayWhatAThingIs() {
        noClasses().should().haveSimpleNameEndingWith("Manager")
                .orShould().haveSimpleNameEndingWith("Util")
                .orShould().haveSimpleNameEndingWith("Utils")
                .orShould().haveSimpleNameEndingWith("Impl")
                .check(FOVEA);
    }

    @Test
    void storePortsAreInterfacesInCoreImplementedInTheStoreModule() {
        classes().that().resideInAPackage("dev.fovea.core..").and().haveSimpleNameEndingWith("Store")
                .should().beInterfaces().check(FOVEA);
        classes().that().resideInAPackage("dev.fovea.store..").and().haveSimpleNameEndingWith("Store")
                .should().haveSimpleNameStartingWith("Jdbc").orShould().haveSimpleNameStartingWith("File")
                .orShould().haveSimpleNameStartingWith("Caching").check(FOVEA);
    }
}

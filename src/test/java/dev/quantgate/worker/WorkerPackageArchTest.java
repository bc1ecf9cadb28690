package dev.quantgate.worker;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker runtime is plain Java and reaches the server and MLflow only through its two ports. */
class WorkerPackageArchTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quantgate.worker");

    @Test
    void shouldImportNoQuarkusJakartaOrCdiClass() {
        assertTrue(classes.size() > 10, "the worker classes were found: " + classes.size());
        noClasses().that().resideInAPackage("dev.quantgate.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "javax.inject..",
                        "javax.enterprise..", "io.smallrye..", "io.vertx..")
                .because("the worker runs in its own process without the service")
                .check(classes);
    }

    @Test
    void shouldNotImportTheJobsOrMlflowFeatures() {
        noClasses().that().resideInAPackage("dev.quantgate.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.quantgate.jobs..", "dev.quantgate.mlflow..")
                .because("jobs implements WorkerPort and mlflow implements ArtifactPort, not the other way round")
                .check(classes);
    }
}

package dev.quantgate.kernel;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The kernel sits below every feature, and its mechanisms are plain Java. */
class KernelArchTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.quantgate.kernel");
    }

    @Test
    void shouldDependOnNoFeaturePackage() {
        noClasses().that().resideInAPackage("dev.quantgate.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.quantgate.mlflow..", "dev.quantgate.registry..",
                        "dev.quantgate.audit..", "dev.quantgate.security..", "dev.quantgate.api..", "dev.quantgate.jobs..",
                        "dev.quantgate.gate..", "dev.quantgate.worker..", "dev.quantgate.db..")
                .because("features use the kernel; the kernel using a feature would make a cycle")
                .check(classes);
    }

    @Test
    void shouldKeepTheMechanismsFreeOfQuarkusAndJakarta() {
        noClasses().that().resideInAPackage("dev.quantgate.kernel.retry..")
                .or().haveSimpleName("Backoff").or().haveSimpleName("BackgroundLoop").or().haveSimpleName("Failures")
                .or().haveSimpleName("Lease").or().haveSimpleName("Claims").or().haveSimpleName("WorkQueue")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..")
                .because("backoff, loop, claims, work queue, failures and the retry SPI are plain Java, testable in milliseconds")
                .check(classes);
    }
}

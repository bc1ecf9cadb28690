package dev.quantgate.quantize;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantize package is a plain-Java library: no Quarkus, Jakarta or other service packages. */
class QuantizePackageArchTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quantgate.quantize");

    @Test
    void shouldImportNoQuarkusOrJakartaClass() {
        assertTrue(classes.size() > 20, "the quantize classes were found: " + classes.size());
        noClasses().that().resideInAPackage("dev.quantgate.quantize..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "javax.inject..",
                        "javax.enterprise..", "io.smallrye..", "org.jboss..", "io.vertx..")
                .because("quantize is a library usable from the command line and tests without the service")
                .check(classes);
    }

    @Test
    void shouldDependOnNoOtherServiceFeature() {
        noClasses().that().resideInAPackage("dev.quantgate.quantize..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.quantgate.mlflow..", "dev.quantgate.registry..",
                        "dev.quantgate.jobs..", "dev.quantgate.audit..", "dev.quantgate.security..", "dev.quantgate.api..",
                        "dev.quantgate.db..", "dev.quantgate.gate..", "dev.quantgate.policy..")
                .check(classes);
    }
}

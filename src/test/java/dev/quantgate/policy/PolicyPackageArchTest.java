package dev.quantgate.policy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class PolicyPackageArchTest {

    @Test
    void shouldKeepPolicyLoadingAndModelFreeOfFrameworkImports() {
        noClasses().that().resideInAnyPackage("dev.quantgate.policy", "dev.quantgate.policy.model")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "org.jboss..")
                .because("loading, validation and selection are plain Java; the service lives in policy.service")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.quantgate.policy"));
    }

    @Test
    void shouldKeepRuleEvaluationPlainJava() {
        noClasses().that().resideInAPackage("dev.quantgate.policy.rules..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "javax..", "org.jboss..",
                        "io.smallrye..", "io.vertx..", "org.hibernate..", "dev.quantgate.policy.service..")
                .because("rule evaluation is a library: usable from a command line, tested in milliseconds")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.quantgate.policy.rules"));
    }
}

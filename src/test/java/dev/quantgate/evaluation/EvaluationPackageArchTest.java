package dev.quantgate.evaluation;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class EvaluationPackageArchTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quantgate.evaluation");

    @Test
    void shouldImportNoQuarkusOrJakartaClass() {
        noClasses().that().resideInAPackage("dev.quantgate.evaluation..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "javax.inject..",
                        "javax.enterprise..", "io.smallrye..", "org.eclipse.microprofile..")
                .because("evaluation is a plain Java library, usable from the command line and in millisecond tests")
                .check(classes);
    }

    @Test
    void shouldDependOnNoOtherFeaturePackage() {
        noClasses().that().resideInAPackage("dev.quantgate.evaluation..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.quantgate.audit..", "dev.quantgate.security..",
                        "dev.quantgate.registry..", "dev.quantgate.api..", "dev.quantgate.db..")
                .because("only the command-line SPI (dev.quantgate.cli) is shared")
                .check(classes);
    }

    @Test
    void shouldShareOnlyRuntimeSelectionAndExternalDataChecksWithTheQuantizer() {
        noClasses().that().resideInAPackage("dev.quantgate.evaluation..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.quantgate.quantize..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("dev.quantgate.quantize.runtime..")))
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("dev.quantgate.quantize.onnx..")))
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage("dev.quantgate.quantize")
                                .and(JavaClass.Predicates.simpleNameStartingWith("Quantization")))))
                .because("both engines pick the execution provider the same way (OrtRuntime) and confine external data the same way (ExternalData); nothing else is shared")
                .check(classes);
    }
}

package dev.quantgate.kernel.json;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class KernelJsonArchTest {

    @Test
    void shouldKeepCanonicalJsonFreeOfFrameworkAndServiceImports() {
        noClasses().that().resideInAPackage("dev.quantgate.kernel.json..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.agroal..",
                        "dev.quantgate.audit..", "dev.quantgate.db..", "dev.quantgate.api..")
                .because("quantize and evaluation hash with it and must stay plain Java")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.quantgate.kernel.json"));
    }
}

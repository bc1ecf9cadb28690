package dev.quantgate;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.quantgate");
    }

    @Test
    void shouldKeepEnginesFreeOfFrameworkImports() {
        noClasses().that().resideInAnyPackage("dev.quantgate.quantize..", "dev.quantgate.evaluation..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..")
                .allowEmptyShould(true)
                .because("quantize and evaluation are plain Java libraries, usable from a command line")
                .check(classes);
    }

    @Test
    void shouldKeepPersistenceOutOfResources() {
        noClasses().that().haveSimpleNameEndingWith("Resource")
                .should().dependOnClassesThat().haveFullyQualifiedName("jakarta.persistence.EntityManager")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("javax.sql.DataSource")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.agroal.api.AgroalDataSource")
                .allowEmptyShould(true)
                .because("resources are thin: queries belong in services")
                .check(classes);
    }

    @Test
    void shouldDeclareRolesOnEveryResourceMethod() {
        methods().that().areAnnotatedWith(jakarta.ws.rs.GET.class)
                .or().areAnnotatedWith(jakarta.ws.rs.POST.class)
                .or().areAnnotatedWith(jakarta.ws.rs.PUT.class)
                .or().areAnnotatedWith(jakarta.ws.rs.PATCH.class)
                .or().areAnnotatedWith(jakarta.ws.rs.DELETE.class)
                .should().beAnnotatedWith(jakarta.annotation.security.RolesAllowed.class)
                .orShould().beAnnotatedWith(jakarta.annotation.security.PermitAll.class)
                .allowEmptyShould(true)
                .because("security is declared on each endpoint (the webhook is @PermitAll, checked by its signature)")
                .check(classes);
    }

    @Test
    void shouldKeepTransactionsOutOfResources() {
        noMethods().that().areDeclaredInClassesThat().areAnnotatedWith(jakarta.ws.rs.Path.class)
                .should().beAnnotatedWith(jakarta.transaction.Transactional.class)
                .allowEmptyShould(true)
                .because("transactions belong on services")
                .check(classes);
    }

    @Test
    void shouldKeepFeaturePackagesFreeOfCycles() {
        slices().matching("dev.quantgate.(*)..")
                .should().beFreeOfCycles()
                .because("features depend on each other one way: registry defines the ports that mlflow implements, "
                        + "roles live in api so that audit needs nothing from security")
                .check(classes);
    }

    @Test
    void shouldKeepTheRegistryIndependentOfTheMlflowAdapter() {
        noClasses().that().resideInAPackage("dev.quantgate.registry..")
                .should().dependOnClassesThat().resideInAPackage("dev.quantgate.mlflow..")
                .because("the mirror reads MLflow through registry.source.RegistrySource, which mlflow.client implements")
                .check(classes);
    }
}

package org.mnemos.structure;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of issue 19: the engine knows no Spring and no service; the phase runtime knows no
 * part; a part knows no other part; the building blocks know neither the runtime nor the parts; the
 * service packages see only the engine's root (its front: {@code CilEngine}, {@code PartCatalog},
 * {@code Datasets}, {@code DataPaths}, {@code PhaseExemplars}, {@code CheckpointFiles}), its JSON contract
 * ({@code engine.spec}) and its metrics ({@code engine.metrics}).
 */
class PackageStructureTest {

    private static final String ENGINE = "org.mnemos.engine";
    private static final String[] BUILDING_BLOCKS = {
        ENGINE + ".data..",
        ENGINE + ".model..",
        ENGINE + ".memory..",
        ENGINE + ".optim..",
        ENGINE + ".protocol..",
        ENGINE + ".metrics..",
        ENGINE + ".util..",
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.mnemos");
    }

    @Test
    void theEngineKnowsNoSpring() {
        noClasses()
                .that()
                .resideInAPackage(ENGINE + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.springframework..")
                .check(classes);
    }

    @Test
    void thePhaseRuntimeKnowsNoPart() {
        noClasses()
                .that()
                .resideInAPackage(ENGINE + ".phase..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ENGINE + ".parts..")
                .check(classes);
    }

    @Test
    void aPartKnowsNoOtherPart() {
        slices().matching(ENGINE + ".parts.(*).(*)..")
                .should()
                .notDependOnEachOther()
                .check(classes);
    }

    @Test
    void buildingBlocksKnowNeitherTheRuntimeNorTheParts() {
        noClasses()
                .that()
                .resideInAnyPackage(BUILDING_BLOCKS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINE + ".phase..", ENGINE + ".parts..")
                .check(classes);
    }

    @Test
    void theEngineKnowsNoService() {
        noClasses()
                .that()
                .resideInAPackage(ENGINE + "..")
                .should()
                .dependOnClassesThat(resideInAPackage("org.mnemos..").and(not(resideInAPackage(ENGINE + ".."))))
                .check(classes);
    }

    @Test
    void servicePackagesSeeOnlyTheEngineRootItsSpecAndItsMetrics() {
        noClasses()
                .that()
                .resideInAnyPackage(SERVICES)
                .should()
                .dependOnClassesThat(resideInAPackage(ENGINE + "..")
                        .and(not(resideInAnyPackage(ENGINE, ENGINE + ".spec..", ENGINE + ".metrics.."))))
                .check(classes);
    }

    /** Every package that serves the API or runs phases; {@code bench} is a tool on the engine and may reach into it. */
    private static final String[] SERVICES = {
        "org.mnemos.experiment..", "org.mnemos.worker..", "org.mnemos.web..", "org.mnemos.config..",
        "org.mnemos.artifacts..", "org.mnemos.catalog..", "org.mnemos.events..", "org.mnemos.security..",
        "org.mnemos.group..", "org.mnemos.results..",
    };
}

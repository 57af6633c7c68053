package org.mnemos.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.mnemos.engine.Datasets;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Capability discovery: what a spec may name. */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "catalog", description = "Methods, data sets and presets a spec may name")
public class CatalogController {

    public record PresetView(
            String name,
            String description,

            @Schema(
                    description = "the published figure the preset reproduces (see docs/why-your-number-differs.md);"
                            + " absent where none could be sourced")
            @JsonInclude(JsonInclude.Include.NON_NULL)
            ReferenceCard reference,

            @Schema(description = "the preset's spec fields", implementation = Object.class)
            JsonNode spec) {}

    @Schema(description = "What the catalog knows of a data set without loading its images")
    public record DatasetInfo(
            String name,
            String description,
            int height,
            int width,
            int channels,
            List<String> classNames,
            boolean available) {

        static DatasetInfo of(Datasets.Entry entry) {
            return new DatasetInfo(
                    entry.name(),
                    entry.description(),
                    entry.height(),
                    entry.width(),
                    entry.channels(),
                    entry.classNames(),
                    entry.available());
        }
    }

    private final MethodCatalog methods;
    private final Datasets datasets;
    private final PresetCatalog presets;

    public CatalogController(MethodCatalog methods, Datasets datasets, PresetCatalog presets) {
        this.methods = methods;
        this.datasets = datasets;
        this.presets = presets;
    }

    @GetMapping("/methods")
    @Operation(summary = "The CIL methods, whether they keep exemplars or use NME, and which method options apply")
    public List<MethodCatalog.MethodInfo> methods() {
        return methods.list();
    }

    @GetMapping("/datasets")
    @Operation(summary = "The data sets, their shape and classes, and whether their files are present")
    public List<DatasetInfo> datasets() {
        return datasets.list().stream().map(DatasetInfo::of).toList();
    }

    @GetMapping("/presets")
    @Operation(summary = "The shipped presets a submission may name and override")
    public List<PresetView> presets() {
        return presets.list().stream()
                .map(p -> new PresetView(p.name(), p.description(), p.reference(), p.spec()))
                .toList();
    }
}

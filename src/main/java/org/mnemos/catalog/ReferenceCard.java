package org.mnemos.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * The published figure a preset reproduces, read from a named source: which paper printed it, in
 * which table and column, under which conditions (metric, classifier, memory, runs averaged). A
 * preset ships a card only where every one of these could be read from a source.
 */
@Schema(description = "The published figure a preset reproduces and the conditions it was measured under")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReferenceCard(
        Paper paper,

        @Schema(description = "the table (and its row and column) the figure is printed in")
        String table,

        @Schema(description = "the figure as printed, in percent")
        double percent,

        @Schema(description = "the ± printed next to it, in percent; absent where none is printed")
        Double plusMinus,

        Metric metric,
        Classifier classifier,
        Memory memory,

        @Schema(description = "how many runs (seeds) the figure averages; absent where the source does not say")
        Integer runs,

        @Schema(description = "where the figure was read: document, repository and commit")
        String source,

        @Schema(description = "what the source leaves open and how the card settles it")
        String note) {

    @Schema(name = "ReferencePaper", description = "the paper that printed the figure")
    public record Paper(String title, List<String> authors, int year, String venue) {}

    /** Which over-the-run figure the paper reports. */
    public enum Metric {
        /** The accuracy after the last phase: the run summary's {@code lastAccuracy}. */
        @JsonProperty("final")
        FINAL,
        /** The mean of the accuracies after every phase, phase 0 included: {@code averageIncrementalAccuracy}. */
        @JsonProperty("averageIncremental")
        AVERAGE_INCREMENTAL
    }

    /** Whose predictions were scored: the network's output layer or the nearest mean of exemplars. */
    public enum Classifier {
        @JsonProperty("cnn")
        CNN,
        @JsonProperty("nme")
        NME;

        /** The name a phase's accuracy is filed under ({@code accuracy.cnn}, {@code accuracy.nme}). */
        public String field() {
            return this == CNN ? "cnn" : "nme";
        }
    }

    /** How the exemplar memory is bounded: per class, in total, or no exemplars at all. */
    public enum MemoryMode {
        @JsonProperty("perClass")
        PER_CLASS,
        @JsonProperty("total")
        TOTAL,
        @JsonProperty("none")
        NONE
    }

    @Schema(name = "ReferenceMemory", description = "the exemplar memory the figure was measured with")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(
            MemoryMode mode,

            @Schema(description = "exemplars per class or in total; absent with none")
            Integer size) {}

    /** What is missing or inconsistent in the card, by field; empty for a complete card. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (paper == null
                || blank(paper.title())
                || paper.authors() == null
                || paper.authors().isEmpty()
                || paper.year() < 1900
                || blank(paper.venue())) {
            problems.add("paper: needs title, authors, year and venue");
        }
        if (blank(table)) {
            problems.add("table: required");
        }
        if (!(percent > 0 && percent <= 100)) {
            problems.add("percent: must be in (0, 100]");
        }
        if (plusMinus != null && !(plusMinus >= 0)) {
            problems.add("plusMinus: must not be negative");
        }
        if (metric == null) {
            problems.add("metric: required");
        }
        if (classifier == null) {
            problems.add("classifier: required");
        }
        if (memory == null || memory.mode() == null) {
            problems.add("memory.mode: required");
        } else if ((memory.mode() == MemoryMode.NONE) != (memory.size() == null)
                || (memory.size() != null && memory.size() < 1)) {
            problems.add("memory.size: a positive count with perClass or total, absent with none");
        }
        if (memory != null && memory.mode() == MemoryMode.NONE && classifier == Classifier.NME) {
            problems.add("classifier: nme needs exemplars");
        }
        if (runs != null && runs < 1) {
            problems.add("runs: must be positive");
        }
        if (blank(source)) {
            problems.add("source: required");
        }
        return problems;
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}

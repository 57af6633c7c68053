package org.mnemos.results;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * CSV tables through Jackson's CSV data format: a header row, RFC 4180 quoting (fields with a comma,
 * quote or line break quoted, quotes doubled) and CRLF line ends; a null cell is empty. Numbers are
 * written as Java prints a double, which reads back to the same double.
 */
public final class Csv {

    public static final MediaType TEXT_CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);
    private static final CsvMapper MAPPER = CsvMapper.builder().build();

    private Csv() {}

    /** The table as CSV text, one row per list, in the header's column order. */
    public static String write(List<String> header, List<? extends List<?>> rows) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).setLineSeparator("\r\n");
        header.forEach(schema::addColumn);
        return MAPPER.writer(schema.build()).writeValueAsString(rows);
    }

    /** A CSV download named {@code filename}. */
    public static ResponseEntity<String> download(String filename, String csv) {
        return ResponseEntity.ok()
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"")
                .body(csv);
    }

    /** Checks a {@code format} parameter against the formats a route offers; null is the first of them. */
    public static String format(String requested, List<String> offered) {
        if (requested == null) {
            return offered.get(0);
        }
        if (!offered.contains(requested)) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "format must be one of " + offered,
                    List.of(new FieldProblem("format", "must be one of " + offered)));
        }
        return requested;
    }
}

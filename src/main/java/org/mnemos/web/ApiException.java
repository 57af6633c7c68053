package org.mnemos.web;

import java.util.List;
import org.springframework.http.ProblemDetail;

/** A request the API refuses; rendered as an RFC 9457 problem of {@link #type()}. */
public class ApiException extends RuntimeException {

    private final ProblemType type;
    private final List<FieldProblem> errors;

    public ApiException(ProblemType type, String detail) {
        this(type, detail, List.of());
    }

    public ApiException(ProblemType type, String detail, List<FieldProblem> errors) {
        super(detail);
        this.type = type;
        this.errors = List.copyOf(errors);
    }

    public static ApiException invalidSpec(List<FieldProblem> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields of the spec are invalid";
        return new ApiException(ProblemType.INVALID_SPEC, detail, errors);
    }

    public static ApiException invalidSpec(String field, String message) {
        return invalidSpec(List.of(new FieldProblem(field, message)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(ProblemType.NOT_FOUND, what + " not found");
    }

    public static ApiException conflict(String detail) {
        return new ApiException(ProblemType.CONFLICT, detail);
    }

    public ProblemType type() {
        return type;
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    public ProblemDetail toProblem() {
        return Problems.of(type, getMessage(), errors);
    }
}

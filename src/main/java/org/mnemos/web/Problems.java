package org.mnemos.web;

import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;

/** Builds the problem bodies every error of the API is rendered as. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {}

    public static ProblemDetail of(ProblemType type, String detail) {
        return of(type, detail, List.of());
    }

    public static ProblemDetail of(ProblemType type, String detail, List<FieldProblem> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        problem.setType(type.type());
        problem.setTitle(type.title());
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return problem;
    }

    /** A 404 for controllers that do not return JSON on success (SSE, zip downloads). */
    public static ErrorResponseException notFound(String detail) {
        return new ErrorResponseException(ProblemType.NOT_FOUND.status(), of(ProblemType.NOT_FOUND, detail), null);
    }

    /** Renders as application/problem+json whatever the request accepted (an SSE or zip client included). */
    public static ResponseEntity<ProblemDetail> render(ErrorResponseException exception) {
        return ResponseEntity.status(exception.getStatusCode())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(exception.getBody());
    }
}

package org.mnemos.web;

import java.util.List;
import org.springframework.http.ProblemDetail;

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
}

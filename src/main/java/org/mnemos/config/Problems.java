package org.mnemos.config;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;

/** RFC 9457 problem details shared by controllers that do not return JSON on success (SSE, zip). */
public final class Problems {

    public static final URI NOT_FOUND = URI.create("https://mnemos.dev/problems/not-found");

    private Problems() {}

    public static ErrorResponseException notFound(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail);
        problem.setType(NOT_FOUND);
        problem.setTitle("Not found");
        return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }

    /** Renders as application/problem+json whatever the request accepted (an SSE or zip client included). */
    public static ResponseEntity<ProblemDetail> render(ErrorResponseException exception) {
        return ResponseEntity.status(exception.getStatusCode())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(exception.getBody());
    }
}

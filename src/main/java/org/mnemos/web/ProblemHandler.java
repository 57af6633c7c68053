package org.mnemos.web;

import java.util.List;
import org.mnemos.engine.DataPathException;
import org.mnemos.engine.DataPaths;
import org.mnemos.engine.SpecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error as an RFC 9457 problem with a stable {@code type}; framework errors (405, 415,
 * malformed bodies, unknown paths) keep their status and get the matching type. Nothing internal
 * (class names, stack traces, SQL) ever reaches the client.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    static final int RETRY_AFTER_SECONDS = 10;

    private final DataPaths dataPaths;

    public ProblemHandler(ObjectProvider<DataPaths> dataPaths) {
        this.dataPaths = dataPaths.getIfAvailable(() -> new DataPaths(List.of()));
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        return respond(e.toProblem());
    }

    @ExceptionHandler(SpecException.class)
    ResponseEntity<ProblemDetail> spec(SpecException e) {
        String message = e.getMessage().startsWith(e.field() + ": ")
                ? e.getMessage().substring(e.field().length() + 2)
                : e.getMessage();
        return respond(
                ApiException.invalidSpec(e.field(), dataPaths.redact(message)).toProblem());
    }

    /** Messages from the data readers may name files; clients see the roots' labels, not server paths. */
    @ExceptionHandler(DataPathException.class)
    ResponseEntity<ProblemDetail> dataPath(DataPathException e) {
        return respond(ApiException.invalidSpec("dataset.path", dataPaths.redact(e.getMessage()))
                .toProblem());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        String expected = e.getRequiredType() == null
                ? "a valid value"
                : "a valid " + e.getRequiredType().getSimpleName();
        return respond(Problems.of(
                ProblemType.INVALID_PARAMETER,
                "'" + e.getName() + "' must be " + expected,
                List.of(new FieldProblem(e.getName(), "must be " + expected))));
    }

    /**
     * The database cannot be reached (no connection within the pool's timeout, or it dropped): a
     * 503 the client may retry, not a 500. Liveness turns DOWN meanwhile if the embedded server died.
     */
    @ExceptionHandler({
        CannotCreateTransactionException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        QueryTimeoutException.class
    })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        log.warn("Database unavailable: {}", e.getMessage());
        ProblemDetail problem = Problems.of(
                ProblemType.SERVICE_UNAVAILABLE,
                "The database is not reachable right now; retry in " + RETRY_AFTER_SECONDS + " seconds.");
        return ResponseEntity.status(problem.getStatus())
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unhandled error", e);
        return respond(Problems.of(ProblemType.INTERNAL, "The request could not be completed; see the server log."));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail body = Problems.of(ProblemType.MALFORMED_REQUEST, "The request body is not readable JSON.");
        return handleExceptionInternal(e, body, headers, status, request);
    }

    /** Framework-raised errors: keep Spring's status and detail, give them a stable type and title. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (body instanceof ProblemDetail problem) {
            ProblemType type = ProblemType.forStatus(status.value());
            if (problem.getType() == null
                    || "about:blank".equals(problem.getType().toString())) {
                problem.setType(type.type());
                problem.setTitle(type.title());
            }
            HttpHeaders problemHeaders = new HttpHeaders();
            problemHeaders.putAll(headers);
            problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            return new ResponseEntity<>(problem, problemHeaders, status);
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}

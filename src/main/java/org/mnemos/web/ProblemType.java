package org.mnemos.web;

import java.net.URI;
import org.springframework.http.HttpStatus;

/** The stable problem types of the API (RFC 9457 {@code type} URIs) with their status and title. */
public enum ProblemType {
    INVALID_SPEC("invalid-spec", HttpStatus.BAD_REQUEST, "Invalid experiment spec"),
    MALFORMED_REQUEST("malformed-request", HttpStatus.BAD_REQUEST, "Malformed request"),
    INVALID_PARAMETER("invalid-parameter", HttpStatus.BAD_REQUEST, "Invalid parameter"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Missing or invalid API key"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "API key lacks the required scope"),
    UNTRUSTED_HOST("untrusted-host", HttpStatus.MISDIRECTED_REQUEST, "Host not served without API keys"),
    SERVICE_UNAVAILABLE("service-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Service temporarily unavailable"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    CONFLICT("conflict", HttpStatus.CONFLICT, "Conflicting state"),
    PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    IDEMPOTENCY_MISMATCH(
            "idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused with a different body"),
    TOO_MANY_RUNS("too-many-runs", HttpStatus.TOO_MANY_REQUESTS, "Too many active experiments"),
    INTERNAL("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    private static final String BASE = "https://mnemos.dev/problems/";

    private final URI type;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.type = URI.create(BASE + slug);
        this.status = status;
        this.title = title;
    }

    public URI type() {
        return type;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The type that describes a bare status code raised by the framework. */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 421 -> UNTRUSTED_HOST;
            case 422 -> IDEMPOTENCY_MISMATCH;
            case 429 -> TOO_MANY_RUNS;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : MALFORMED_REQUEST;
        };
    }
}

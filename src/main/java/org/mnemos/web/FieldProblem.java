package org.mnemos.web;

/** One invalid value of a request: its JSON path (e.g. {@code training.batchSize}) and what is allowed. */
public record FieldProblem(String field, String message) {}

package org.mnemos.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The path of a request as Spring's router sees it: within the application, each segment
 * percent-decoded and stripped of {@code ;} parameters. Filters that decide by path must use this
 * view, never the raw URI, or a second spelling of the same route slips past them.
 */
public final class RoutedPath {

    private RoutedPath() {}

    /** Empty when the path cannot be decoded (the router would not match it either). */
    public static Optional<PathContainer> of(HttpServletRequest request) {
        try {
            return Optional.of(RequestPath.parse(request.getRequestURI(), request.getContextPath())
                    .pathWithinApplication());
        } catch (IllegalArgumentException undecodable) {
            return Optional.empty();
        }
    }

    /** Whether the path has a {@code .} or {@code ..} segment, which the router leaves unresolved. */
    public static boolean hasDotSegment(PathContainer path) {
        for (PathContainer.Element element : path.elements()) {
            if (element instanceof PathContainer.PathSegment segment
                    && (segment.valueToMatch().equals(".")
                            || segment.valueToMatch().equals(".."))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the request's routed path matches {@code pattern}. */
    public static boolean matches(HttpServletRequest request, PathPattern pattern) {
        return of(request).map(pattern::matches).orElse(false);
    }
}

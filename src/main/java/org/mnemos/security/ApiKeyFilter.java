package org.mnemos.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.mnemos.web.ProblemType;
import org.mnemos.web.Problems;
import org.mnemos.web.RoutedPath;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import tools.jackson.databind.ObjectMapper;

/**
 * Requires an API key ({@code X-API-Key} or {@code Authorization: Bearer}) on every request when
 * keys are configured, except reads of an explicit allow-list (API docs, Swagger UI, health, info,
 * metrics) and GET/HEAD of the dashboard's static files. Reads need the {@code read} scope, everything else {@code write}. The allow-list is
 * matched on the path Spring routes (segments decoded, {@code ;} parameters removed), so no
 * spelling of a path reaches a controller without a key. Keys are compared by their sha256 in
 * constant time.
 *
 * <p>Without keys the API is meant for this machine only: a request whose {@code Host} is not a
 * local name, the bind address or a configured allowed host is refused (DNS rebinding).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiKeyFilter extends OncePerRequestFilter {

    private static final PathPatternParser PATTERNS = new PathPatternParser();
    private static final List<PathPattern> OPEN_FOR_READS = List.of(
                    "/v3/api-docs",
                    "/v3/api-docs/**",
                    "/v3/api-docs.yaml",
                    "/swagger-ui.html",
                    "/swagger-ui/**",
                    "/actuator/health",
                    "/actuator/health/**",
                    "/actuator/info",
                    "/actuator/prometheus")
            .stream()
            .map(PATTERNS::parse)
            .toList();
    /** The dashboard's static files: the page asks for a key itself and sends it with every API call. */
    private static final List<PathPattern> DASHBOARD_ASSETS =
            List.of("/", "/index.html", "/dashboard/**", "/webjars/uplot/**").stream()
                    .map(PATTERNS::parse)
                    .toList();

    private record Known(String id, byte[] sha256, Set<SecurityProperties.Scope> scopes) {}

    private final List<Known> keys;
    private final Set<String> localHosts;
    private final ObjectMapper mapper;

    public ApiKeyFilter(SecurityProperties properties, Environment environment, ObjectMapper mapper) {
        this.keys = properties.apiKeys().stream().map(ApiKeyFilter::known).toList();
        this.localHosts = localHosts(properties, environment.getProperty("server.address", ""));
        this.mapper = mapper;
    }

    private static Known known(SecurityProperties.ApiKey key) {
        if (key.id() == null || key.id().isBlank()) {
            throw new IllegalArgumentException("mnemos.security.api-keys: every key needs an id");
        }
        if ((key.key() == null) == (key.sha256() == null)) {
            throw new IllegalArgumentException(
                    "mnemos.security.api-keys[" + key.id() + "]: give exactly one of key and sha256");
        }
        byte[] digest = key.key() != null
                ? sha256(key.key())
                : HexFormat.of().parseHex(key.sha256().toLowerCase(Locale.ROOT));
        return new Known(key.id(), digest, Set.copyOf(key.scopes()));
    }

    private static Set<String> localHosts(SecurityProperties properties, String bindAddress) {
        Set<String> hosts = new java.util.HashSet<>(Set.of("localhost", "127.0.0.1", "::1"));
        if (!bindAddress.isBlank()) {
            hosts.add(hostName(bindAddress));
        }
        properties.allowedHosts().forEach(host -> hosts.add(hostName(host)));
        return Set.copyOf(hosts);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (keys.isEmpty()) {
            // the server name is the Host header's, or the local address for a request without one
            if (!localHosts.contains(hostName(request.getServerName()))) {
                reject(
                        response,
                        ProblemType.UNTRUSTED_HOST,
                        "This server has no API keys and answers requests for a local "
                                + "host name only; configure mnemos.security.allowed-hosts, or API keys.");
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if (isRead(request.getMethod()) && isOpen(request, OPEN_FOR_READS) || isDashboardAsset(request)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<String> presented = presentedKey(request);
        if (presented.isEmpty()) {
            reject(response, ProblemType.UNAUTHORIZED, "Send an API key in X-API-Key or Authorization: Bearer.");
            return;
        }
        byte[] digest = sha256(presented.get());
        Known match = null;
        for (Known key : keys) {
            if (MessageDigest.isEqual(key.sha256(), digest)) {
                match = key;
            }
        }
        if (match == null) {
            reject(response, ProblemType.UNAUTHORIZED, "The API key is not valid.");
            return;
        }
        SecurityProperties.Scope needed =
                isRead(request.getMethod()) ? SecurityProperties.Scope.read : SecurityProperties.Scope.write;
        if (!match.scopes().contains(needed)) {
            reject(response, ProblemType.FORBIDDEN, "The API key '" + match.id() + "' lacks the " + needed + " scope.");
            return;
        }
        request.setAttribute(
                Caller.ATTRIBUTE, new Caller(match.id(), match.scopes().contains(SecurityProperties.Scope.admin)));
        chain.doFilter(request, response);
    }

    /**
     * Whether the path Spring will route is on the allow-list. Dot segments are never open: they
     * are not resolved by the router, so their meaning is left to whatever handles them.
     */
    static boolean isOpen(HttpServletRequest request) {
        return isOpen(request, OPEN_FOR_READS);
    }

    /** Whether the request reads one of the dashboard's static files (GET or HEAD only). */
    static boolean isDashboardAsset(HttpServletRequest request) {
        return isGetOrHead(request.getMethod()) && isOpen(request, DASHBOARD_ASSETS);
    }

    private static boolean isOpen(HttpServletRequest request, List<PathPattern> allowed) {
        return RoutedPath.of(request)
                .filter(path -> !RoutedPath.hasDotSegment(path))
                .map(path -> allowed.stream().anyMatch(pattern -> pattern.matches(path)))
                .orElse(false);
    }

    /** A host name or address, lower case, IPv6 without brackets, and without a trailing dot. */
    static String hostName(String host) {
        if (host == null) {
            return "";
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isGetOrHead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    private static boolean isRead(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    private static Optional<String> presentedKey(HttpServletRequest request) {
        String header = request.getHeader("X-API-Key");
        if (header != null && !header.isBlank()) {
            return Optional.of(header.trim());
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }

    private void reject(HttpServletResponse response, ProblemType type, String detail) throws IOException {
        ProblemDetail problem = Problems.of(type, detail);
        response.setStatus(type.status().value());
        response.setContentType(Problems.MEDIA_TYPE);
        if (type == ProblemType.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.getOutputStream().write(mapper.writeValueAsBytes(problem));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}

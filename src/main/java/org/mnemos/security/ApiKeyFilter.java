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
import org.mnemos.web.ProblemType;
import org.mnemos.web.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.ObjectMapper;

/**
 * Requires an API key ({@code X-API-Key} or {@code Authorization: Bearer}) on {@code /api/**} when
 * keys are configured: reads need the {@code read} scope, everything else {@code write}. Docs and
 * actuator stay open. Keys are compared by their sha256 in constant time.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiKeyFilter extends OncePerRequestFilter {

    /** Request attribute holding the id of the key that authenticated the request. */
    public static final String KEY_ID_ATTRIBUTE = "mnemos.apiKeyId";

    private record Known(String id, byte[] sha256, java.util.Set<SecurityProperties.Scope> scopes) {}

    private final List<Known> keys;
    private final ObjectMapper mapper;

    public ApiKeyFilter(SecurityProperties properties, ObjectMapper mapper) {
        this.keys = properties.apiKeys().stream().map(ApiKeyFilter::known).toList();
        this.mapper = mapper;
    }

    private static Known known(SecurityProperties.ApiKey key) {
        if (key.id() == null || key.id().isBlank()) {
            throw new IllegalArgumentException("mnemos.security.api-keys: every key needs an id");
        }
        if ((key.key() == null) == (key.sha256() == null)) {
            throw new IllegalArgumentException("mnemos.security.api-keys[" + key.id() + "]: give exactly one of key and sha256");
        }
        byte[] digest = key.key() != null ? sha256(key.key()) : HexFormat.of().parseHex(key.sha256().toLowerCase(Locale.ROOT));
        return new Known(key.id(), digest, java.util.Set.copyOf(key.scopes()));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return keys.isEmpty() || !path.startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
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
        SecurityProperties.Scope needed = isRead(request.getMethod()) ? SecurityProperties.Scope.read : SecurityProperties.Scope.write;
        if (!match.scopes().contains(needed)) {
            reject(response, ProblemType.FORBIDDEN, "The API key '" + match.id() + "' lacks the " + needed + " scope.");
            return;
        }
        request.setAttribute(KEY_ID_ATTRIBUTE, match.id());
        chain.doFilter(request, response);
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

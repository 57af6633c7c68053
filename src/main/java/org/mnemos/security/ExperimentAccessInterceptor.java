package org.mnemos.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.mnemos.web.Problems;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Hides an experiment from every key but the one that submitted it (and admin keys): for such a
 * caller, every route under {@code /api/v1/experiments/{id}} answers 404, exactly as for an
 * experiment that does not exist, so ids of other owners cannot even be probed.
 */
@Component
public class ExperimentAccessInterceptor implements HandlerInterceptor {

    private final JdbcTemplate jdbc;

    public ExperimentAccessInterceptor(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        Caller caller = Caller.of(request);
        if (caller.admin()) {
            return true;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> variables =
                (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String rawId = variables == null ? null : variables.get("id");
        UUID id;
        try {
            id = rawId == null ? null : UUID.fromString(rawId);
        } catch (IllegalArgumentException unparseable) {
            return true; // the controller answers 400 naming the parameter
        }
        if (id == null) {
            return true;
        }
        List<String> owners = jdbc.queryForList("select owner_key from experiments where id = ?", String.class, id);
        if (!owners.isEmpty() && !caller.mayAccess(owners.get(0))) {
            throw Problems.notFound("Experiment " + id + " does not exist");
        }
        return true;
    }
}

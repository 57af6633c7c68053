package org.mnemos.security;

import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys. With none configured the API is open to this machine only (the default profile binds
 * to 127.0.0.1 and requests must name a local {@code Host}, see {@code allowedHosts});
 * {@code requireKeys} (on in the {@code container} profile) refuses to start without one, so a
 * deployment reachable from the network is never open by accident.
 * Each key has an {@code id} (recorded as the owner of what it submits), either the {@code key}
 * itself or its hex {@code sha256}, and scopes {@code read}, {@code write} and/or {@code admin}
 * (sees and controls every owner's experiments).
 *
 * @param allowedHosts host names accepted in the {@code Host} header of a keyless install, besides
 *     localhost, 127.0.0.1, [::1] and the bind address (a guard against DNS rebinding)
 */
@ConfigurationProperties("mnemos.security")
public record SecurityProperties(
        @DefaultValue List<ApiKey> apiKeys,
        @DefaultValue("false") boolean requireKeys,
        @DefaultValue List<String> allowedHosts) {

    public SecurityProperties {
        if (requireKeys && apiKeys.isEmpty()) {
            throw new IllegalStateException(
                    "mnemos.security.require-keys is on (the container profile) but no API key is"
                            + " configured: set mnemos.security.api-keys (env MNEMOS_SECURITY_APIKEYS_0_ID, _0_KEY, _0_SCOPES)");
        }
    }

    public record ApiKey(
            String id,
            String key,
            String sha256,
            @DefaultValue("read") Set<Scope> scopes) {}

    public enum Scope {
        read,
        write,
        admin
    }

    public boolean enabled() {
        return !apiKeys.isEmpty();
    }
}

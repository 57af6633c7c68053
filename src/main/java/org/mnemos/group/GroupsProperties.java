package org.mnemos.group;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How large a seed group may be. Its arms × seeds members also count against
 * {@code mnemos.limits.max-concurrent-runs-per-key} together, all or none.
 */
@ConfigurationProperties("mnemos.groups")
public record GroupsProperties(
        @DefaultValue("8") int maxArms, @DefaultValue("20") int maxSeeds) {}

package org.mnemos.experiment;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one submission may ask for. Exceeding a size limit is a 400 invalid-spec, a body over
 * {@code maxBodyBytes} a 413, more active runs than {@code maxConcurrentRunsPerKey} a 429. An
 * uploaded checkpoint ({@code POST /api/v1/checkpoints}) may have up to {@code maxUploadBytes}.
 */
@ConfigurationProperties("mnemos.limits")
public record LimitsProperties(
        @DefaultValue("1000") int maxClasses,
        @DefaultValue("1000") int maxEpochs,
        @DefaultValue("1000000") int maxIterations,
        @DefaultValue("4096") int maxBatchSize,
        @DefaultValue("200000") int maxMemoryImages,
        @DefaultValue("8") int maxConcurrentRunsPerKey,
        @DefaultValue("65536") int maxBodyBytes,
        @DefaultValue("268435456") long maxUploadBytes) {}

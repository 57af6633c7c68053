package org.mnemos.events;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param heartbeat interval of SSE comment lines that keep proxies from closing idle streams
 * @param streamTimeout how long one SSE response stays open; clients resume with Last-Event-ID
 * @param poll how long one wait for notifications blocks before the connection is checked again
 * @param reconnectMaxBackoff upper bound of the doubling wait between attempts to re-LISTEN
 */
@ConfigurationProperties("mnemos.events")
public record EventsProperties(
        @DefaultValue("15s") Duration heartbeat,
        @DefaultValue("30m") Duration streamTimeout,
        @DefaultValue("1s") Duration poll,
        @DefaultValue("10s") Duration reconnectMaxBackoff) {}

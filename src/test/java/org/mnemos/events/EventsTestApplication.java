package org.mnemos.events;

import org.mnemos.config.EmbeddedDatabaseConfiguration;
import org.mnemos.config.EmbeddedDbProperties;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/** The events feature alone on an embedded database: no experiment service, no worker. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties({EmbeddedDbProperties.class, EventsProperties.class})
@Import({
    EmbeddedDatabaseConfiguration.class,
    EventQueries.class,
    JdbcEventPublisher.class,
    EventListenerService.class,
    ExperimentEventsController.class
})
class EventsTestApplication {}

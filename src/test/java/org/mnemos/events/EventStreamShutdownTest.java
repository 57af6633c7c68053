package org.mnemos.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mnemos.support.TestExperiments;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

class EventStreamShutdownTest {

    @Test
    void openStreamsEndWhenTheServiceStopsSoGracefulShutdownIsNotHeldUp() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(EventsTestApplication.class)
                .properties(
                        "server.port=0",
                        "mnemos.embedded-db.port=0",
                        "mnemos.embedded-db.fsync=false",
                        "mnemos.embedded-db.ephemeral=true",
                        "spring.lifecycle.timeout-per-shutdown-phase=30s")
                .run();
        UUID experiment = TestExperiments.insert(context.getBean(JdbcTemplate.class));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        EventListenerService listener = context.getBean(EventListenerService.class);

        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/experiments/" + experiment + "/events"))
                .build();
        CompletableFuture<HttpResponse<String>> stream =
                HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listener.subscriberCount(experiment) == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }

        long start = System.nanoTime();
        context.close();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                .as("shutdown seconds")
                .isLessThan(15);
        assertThat(stream.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
}

package org.mnemos.events;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.mnemos.web.Problems;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events of one experiment: stored events after {@code Last-Event-ID} first, then live
 * ones; each with {@code id} = seq, {@code event} = type, {@code data} = JSON. The stream ends after
 * a terminal event.
 */
@RestController
public class ExperimentEventsController implements DisposableBean {

    private final EventListenerService listener;
    private final EventQueries queries;
    private final EventsProperties properties;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mnemos-sse-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public ExperimentEventsController(
            EventListenerService listener, EventQueries queries, EventsProperties properties) {
        this.listener = listener;
        this.queries = queries;
        this.properties = properties;
    }

    @GetMapping(path = "/api/v1/experiments/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter events(
            @PathVariable UUID id,
            @RequestHeader(name = "Last-Event-ID", required = false) Long lastEventIdHeader,
            @RequestParam(name = "lastEventId", required = false) Long lastEventIdParam) {
        if (!queries.experimentExists(id)) {
            throw Problems.notFound("Experiment " + id + " does not exist");
        }
        long after = lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParam != null ? lastEventIdParam : 0L;
        SseEmitter emitter = new SseEmitter(properties.streamTimeout().toMillis());
        Stream stream = new Stream(emitter);
        stream.start(id, after);
        return emitter;
    }

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> problem(ErrorResponseException exception) {
        return Problems.render(exception);
    }

    @Override
    public void destroy() {
        heartbeats.shutdownNow();
    }

    /** One open response: sends events and heartbeats, ends on a terminal event or a client error. */
    private final class Stream implements EventSink {

        private final SseEmitter emitter;
        private volatile EventListenerService.Subscription subscription;
        private volatile ScheduledFuture<?> heartbeat;

        Stream(SseEmitter emitter) {
            this.emitter = emitter;
        }

        void start(UUID experimentId, long afterSeq) {
            emitter.onCompletion(this::release);
            emitter.onTimeout(this::release);
            emitter.onError(e -> release());
            long period = properties.heartbeat().toMillis();
            heartbeat = heartbeats.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
            subscription = listener.subscribe(experimentId, afterSeq, this);
        }

        @Override
        public void send(EventRecord event) throws IOException {
            synchronized (emitter) {
                emitter.send(SseEmitter.event()
                        .id(Long.toString(event.seq()))
                        .name(event.type())
                        .data(event.data(), MediaType.APPLICATION_JSON));
            }
        }

        @Override
        public void closed(Throwable cause) {
            release();
            if (cause == null) {
                emitter.complete();
            } else {
                emitter.completeWithError(cause);
            }
        }

        private void beat() {
            try {
                synchronized (emitter) {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                }
            } catch (IOException | IllegalStateException e) {
                release();
                emitter.completeWithError(e);
            }
        }

        private void release() {
            ScheduledFuture<?> beat = heartbeat;
            if (beat != null) {
                beat.cancel(false);
            }
            EventListenerService.Subscription sub = subscription;
            if (sub != null) {
                sub.close();
            }
        }
    }
}

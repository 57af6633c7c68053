package org.mnemos.events;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

/**
 * One dedicated connection that LISTENs on {@value #CHANNEL}. Notifications
 * only say which experiment has a new event; subscribers then read the table from their last seq,
 * so a lost notification (connection drop, restart) costs latency, never events. After a reconnect
 * every subscribed experiment is caught up from the table.
 */
@Service
public class EventListenerService implements SmartLifecycle {

    public static final String CHANNEL = "mnemos_events";
    private static final Logger log = LoggerFactory.getLogger(EventListenerService.class);
    private static final int PAGE = 500;
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);

    private final DataSource dataSource;
    private final EventQueries queries;
    private final EventsProperties properties;
    private final Map<UUID, Set<Subscription>> subscribers = new ConcurrentHashMap<>();
    private final ExecutorService fanOut;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean running;
    private volatile Thread thread;
    private volatile int backendPid = -1;

    public EventListenerService(DataSource dataSource, EventQueries queries, EventsProperties properties) {
        this.dataSource = dataSource;
        this.queries = queries;
        this.properties = properties;
        this.fanOut = Executors.newFixedThreadPool(4, daemon("mnemos-events-fanout"));
    }

    /**
     * Registers {@code sink} for the events of one experiment with seq greater than {@code afterSeq}:
     * the stored ones are replayed first, then live ones follow. The subscription ends ({@link
     * EventSink#closed} with no cause) after delivering the run's current terminal event; a
     * terminal event followed by a resume does not end it.
     */
    public Subscription subscribe(UUID experimentId, long afterSeq, EventSink sink) {
        Subscription subscription = new Subscription(experimentId, afterSeq, sink);
        // Atomic with remove(): adding to a set that remove() is dropping would lose the subscriber.
        subscribers.compute(experimentId, (id, set) -> {
            Set<Subscription> live = set == null ? ConcurrentHashMap.newKeySet() : set;
            live.add(subscription);
            return live;
        });
        fanOut.execute(() -> refresh(experimentId, null));
        return subscription;
    }

    /** PostgreSQL pid of the LISTEN connection (-1 while disconnected); for operations and tests. */
    public int backendPid() {
        return backendPid;
    }

    /** How many times the LISTEN connection was opened since start. */
    public int connectionCount() {
        return connections.get();
    }

    int subscriberCount(UUID experimentId) {
        return subscribers.getOrDefault(experimentId, Set.of()).size();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        Thread listener = daemon("mnemos-events-listener").newThread(this::listenLoop);
        thread = listener;
        listener.start();
    }

    @Override
    public void stop() {
        Thread listener;
        synchronized (this) {
            running = false;
            listener = thread;
            thread = null;
        }
        if (listener != null) {
            listener.interrupt();
            try {
                listener.join(properties.poll().toMillis() + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Open SSE responses would otherwise hold graceful shutdown until its timeout.
        subscribers.values().forEach(set -> set.forEach(s -> s.end(null)));
        subscribers.clear();
        fanOut.shutdown();
        try {
            fanOut.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listenLoop() {
        Duration backoff = MIN_BACKOFF;
        while (running) {
            try (Connection connection = openListenConnection()) {
                connection.setAutoCommit(true);
                PGConnection pg = connection.unwrap(PGConnection.class);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                    try (ResultSet rs = statement.executeQuery("select pg_backend_pid()")) {
                        rs.next();
                        backendPid = rs.getInt(1);
                    }
                }
                connections.incrementAndGet();
                backoff = MIN_BACKOFF;
                // Whatever was published while we were not listening.
                subscribers.keySet().forEach(id -> fanOut.execute(() -> refresh(id, null)));
                pollNotifications(connection, pg);
            } catch (SQLException | RuntimeException e) {
                backendPid = -1;
                if (!running) {
                    return;
                }
                log.warn(
                        "Event listener connection lost ({}); reconnecting in {} ms",
                        e.getMessage(),
                        backoff.toMillis());
                if (!sleep(backoff)) {
                    return;
                }
                backoff = min(backoff.multipliedBy(2), properties.reconnectMaxBackoff());
            }
        }
    }

    /**
     * Its own physical connection, outside the pool: the pool never sees the errors {@code
     * getNotifications} raises on the unwrapped driver connection, so it would hand a dead one back.
     */
    private Connection openListenConnection() throws SQLException {
        if (dataSource.isWrapperFor(HikariDataSource.class)) {
            HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
            Properties props = new Properties();
            props.putAll(hikari.getDataSourceProperties());
            if (hikari.getUsername() != null) {
                props.setProperty("user", hikari.getUsername());
            }
            if (hikari.getPassword() != null) {
                props.setProperty("password", hikari.getPassword());
            }
            props.setProperty("tcpKeepAlive", "true");
            props.setProperty("ApplicationName", "mnemos-events-listener");
            return DriverManager.getConnection(hikari.getJdbcUrl(), props);
        }
        return dataSource.getConnection();
    }

    private void pollNotifications(Connection connection, PGConnection pg) throws SQLException {
        int pollMillis = (int) Math.max(1, properties.poll().toMillis());
        while (running) {
            PGNotification[] notifications = pg.getNotifications(pollMillis);
            if (notifications == null || notifications.length == 0) {
                // A half-open TCP connection raises nothing while waiting; a round trip does.
                try (Statement statement = connection.createStatement()) {
                    statement.execute("select 1");
                }
                continue;
            }
            for (PGNotification notification : notifications) {
                dispatch(notification.getParameter());
            }
        }
    }

    private void dispatch(String payload) {
        int colon = payload.indexOf(':');
        try {
            UUID experimentId = UUID.fromString(payload.substring(0, colon));
            long seq = Long.parseLong(payload.substring(colon + 1));
            if (subscribers.containsKey(experimentId)) {
                fanOut.execute(() -> refresh(experimentId, seq));
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            log.warn("Ignoring malformed notification payload '{}'", payload);
        }
    }

    /**
     * Delivers the experiment's events after the lowest seq any subscriber has seen. {@code
     * notifiedSeq} below that is an event whose transaction committed after a later-numbered one
     * (seq order is allocation order, not commit order); it is delivered on its own.
     */
    private void refresh(UUID experimentId, Long notifiedSeq) {
        Set<Subscription> subs = subscribers.get(experimentId);
        if (subs == null || subs.isEmpty()) {
            return;
        }
        try {
            long from = subs.stream().mapToLong(Subscription::lastSeq).min().orElse(0);
            if (notifiedSeq != null && notifiedSeq <= from) {
                queries.bySeq(notifiedSeq).ifPresent(late -> subs.forEach(s -> s.deliver(List.of(late), notifiedSeq)));
            }
            List<EventRecord> page;
            do {
                page = queries.after(experimentId, from, PAGE);
                List<EventRecord> batch = page;
                subs.forEach(s -> s.deliver(batch, notifiedSeq));
                if (!page.isEmpty()) {
                    from = page.get(page.size() - 1).seq();
                }
            } while (page.size() == PAGE);
        } catch (RuntimeException e) {
            // Database unavailable: the reconnect's catch-up delivers these later.
            log.warn("Could not read events of experiment {}: {}", experimentId, e.getMessage());
        }
    }

    private void remove(Subscription subscription) {
        subscribers.computeIfPresent(subscription.experimentId, (id, set) -> {
            set.remove(subscription);
            return set.isEmpty() ? null : set;
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One subscriber's position in an experiment's event stream. */
    public final class Subscription implements AutoCloseable {

        private static final int RECENT = 1024;

        private final UUID experimentId;
        private final EventSink sink;
        private long lastSeq;
        private boolean open = true;
        // Seqs sent lately, so that a late-committed event is neither lost nor sent twice.
        private final Set<Long> recent = java.util.Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > RECENT;
            }
        });

        private Subscription(UUID experimentId, long afterSeq, EventSink sink) {
            this.experimentId = experimentId;
            this.lastSeq = afterSeq;
            this.sink = sink;
        }

        synchronized long lastSeq() {
            return lastSeq;
        }

        private synchronized void deliver(List<EventRecord> events, Long lateSeq) {
            List<EventRecord> toSend = new ArrayList<>();
            for (EventRecord event : events) {
                boolean next = event.seq() > lastSeq;
                boolean late = lateSeq != null && event.seq() == lateSeq;
                if (open && (next || late) && !recent.contains(event.seq())) {
                    toSend.add(event);
                    recent.add(event.seq());
                    lastSeq = Math.max(lastSeq, event.seq());
                }
            }
            for (EventRecord event : toSend) {
                if (!open) {
                    return;
                }
                try {
                    sink.send(event);
                } catch (Exception e) {
                    end(e);
                    return;
                }
                if (event.terminal() && !resumedAfter(event, events)) {
                    end(null);
                    return;
                }
            }
        }

        /**
         * Whether the run went on after this terminal event (it was resumed), so that a replay
         * continues to the run's current end instead of stopping at an earlier one.
         */
        private boolean resumedAfter(EventRecord terminal, List<EventRecord> batch) {
            return batch.get(batch.size() - 1).seq() > terminal.seq()
                    || queries.existsAfter(experimentId, terminal.seq());
        }

        /** Stops deliveries; the sink is not called again. */
        @Override
        public void close() {
            synchronized (this) {
                open = false;
            }
            remove(this);
        }

        private void end(Throwable cause) {
            boolean wasOpen;
            synchronized (this) {
                wasOpen = open;
                open = false;
            }
            remove(this);
            if (wasOpen) {
                sink.closed(cause);
            }
        }
    }
}
